/**
 * The server-side SDK: {@link ServerClient} mints, verifies and revokes user tokens and calls the
 * platform's admin API; {@link verifyUserToken} checks a token by the platform's rules; every error
 * is a {@link TokenkitError}.
 *
 * @module tokenkit
 */
// The public API of `tokenkit`, listed by name (no `export *`): a reader learns it from this file.

export { ServerClient } from './server-client';
export type { ServerClientOptions, RequestLogRecord, Logger, FetchLike } from './options';

// The admin API (ServerClient's HTTP methods), its bulk operations and the retry policy.
export type { RequestOptions, WriteOptions } from './http/transport';
export { decideRetry, isRetryableStatus, parseRetryAfter } from './http/retry';
export type { RetryInput, RetryDecision, NoRetryReason, AttemptFailure } from './http/retry';
export type { UsersResult, UpdateUsersPartialInput, QueryUsersInput, UsersPage, ListUsersOptions } from './admin/users';
export type { AppCutoff } from './admin/app';
export type { RevokeUserTokensResult, RotateUserTokenOptions, RotatedToken } from './admin/revocation';
export type { IssuedToken, IssueTokenOptions, RevokeAllTokensResult } from './admin/tokens';
export { AddedSecret } from './admin/secrets';
export type { BulkOperations, BulkRevokeOptions, BulkIssueOptions, IssuedUserToken } from './bulk/operations';
export type { IdSource, BulkItem, BulkFailure, BulkProgress, BulkOptions, BulkResult } from './bulk/types';

export { TokenProviderError } from './provider/handler';
export type { TokenProviderHandler, NodeTokenProviderHandler, FetchTokenProviderHandler, TokenProviderResponse } from './provider/handler';
export type { TokenProviderOptions, Authenticate } from './provider/options';

export { verifyUserToken } from './tokens/verify-user-token';
export type { VerifyUserTokenOptions, TokenVerifier } from './tokens/verify-user-token';
export type { UserTokenClaims } from './tokens/claims';
export type { GenerateUserTokenInput } from './tokens/mint';
export { DEFAULT_VALIDITY_SECONDS, MAX_VALIDITY_SECONDS } from './tokens/mint';
export { DEFAULT_CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_LENGTH } from './tokens/verify';
export type { RevocationCutoffs } from './tokens/revocation';
export { SigningKey } from './tokens/key';
export type { SecretInput } from './tokens/key';

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
} from './errors';
export type {
  TokenkitErrorCode,
  LocalErrorCode,
  ApiLocalCode,
  TokenErrorCode,
  ArgumentIssue,
  RateLimitInfo,
  ApiErrorInit,
} from './errors';
export { PLATFORM_CODES } from './schemas/codes';
export type { PlatformCodeInfo, PlatformCodeName } from './schemas/codes';

export type { App, AppPatch, AccessTokenPermission } from './schemas/app';
export type { User, UserInput, UserPartialUpdate, Role } from './schemas/users';
export type { SecretInfo, SecretState } from './schemas/secrets';
export type { KeyringEntry } from './tokens/keyring';
export { MAX_APP_SECRETS } from './schemas/secrets';
