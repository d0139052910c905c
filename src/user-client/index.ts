/**
 * The client of the platform's client routes, for your users' apps (browsers included):
 * {@link UserClient} connects with a token or a token provider and refreshes expired or revoked
 * tokens.
 *
 * @module tokenkit/client
 */
// `tokenkit/client`: the UserClient, for your users' apps. It runs in browsers too: nothing here
// (or below) imports the secret machinery or a Node-only module.

export { UserClient } from './user-client';
export type { UpdateMeInput, ConnectResult } from './user-client';
export type { UserClientOptions } from './options';
export type { TokenProvider, SessionKind } from './session';

export {
  TokenkitError,
  ArgumentError,
  ConfigError,
  TokenError,
  ApiError,
  TimeoutError,
  AbortError,
  ConnectionError,
  ResponseShapeError,
} from '../errors';
export type { TokenkitErrorCode, LocalErrorCode, ApiLocalCode, TokenErrorCode, ArgumentIssue, RateLimitInfo } from '../errors';
export type { User, Role } from '../schemas/users';
export type { AuthKind } from '../schemas/client-routes';
