import { z } from 'zod';
import { appPatchSchema, appResponseSchema } from './app';
import {
  connectRequestSchema,
  connectResponseSchema,
  guestRequestSchema,
  guestResponseSchema,
  updateMeRequestSchema,
} from './client-routes';
import { addSecretResponseSchema, emptyRequestSchema, secretChangeRequestSchema, secretsResponseSchema } from './secrets';
import { issueTokenRequestSchema, issueTokenResponseSchema, revokeTokenResponseSchema } from './tokens';
import {
  partialUpdateRequestSchema,
  putUserRequestSchema,
  putUserResponseSchema,
  queryUsersQuerySchema,
  queryUsersResponseSchema,
  upsertUsersRequestSchema,
  userResponseSchema,
  usersResponseSchema,
} from './users';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * One route of the contract, as data: the SDK sends through it and the emulator serves it, so
 * the two cannot drift. `path` holds `:id` where a user id goes.
 */
export interface Endpoint<Req extends z.ZodType | undefined = z.ZodType | undefined, Res extends z.ZodType = z.ZodType> {
  readonly method: HttpMethod;
  readonly path: string;
  /**
   * Who may call it, enforced by the emulator from this field: `admin` needs Api-Key and a server
   * token (a user token is 403, code 17); `user` needs Api-Key, and the handler checks the user's
   * token or connection. Where one path has both, a server token picks the admin side.
   * `dashboard` (the emulator's dashboard API, never the SDK's): a loopback client and `Host`, the
   * dashboard token, and for a change the dashboard's own origin; no Api-Key.
   */
  readonly auth: 'admin' | 'user' | 'dashboard';
  readonly request: Req;
  readonly response: Res;
  /** The query string's parameters (strings in, decoded values out), for routes that take one (400, code 4, where they do not match). */
  readonly query?: z.ZodType | undefined;
}

const endpoint = <Req extends z.ZodType | undefined, Res extends z.ZodType, Q extends z.ZodType | undefined = undefined>(
  e: Endpoint<Req, Res> & { readonly query?: Q },
): Endpoint<Req, Res> & { readonly query: Q } => e as Endpoint<Req, Res> & { readonly query: Q };

/** The admin routes (server side). */
export const adminEndpoints = {
  getApp: endpoint({ method: 'GET', path: '/v1/app', auth: 'admin', request: undefined, response: appResponseSchema }),
  updateApp: endpoint({ method: 'PATCH', path: '/v1/app', auth: 'admin', request: appPatchSchema, response: appResponseSchema }),
  upsertUsers: endpoint({ method: 'POST', path: '/v1/users', auth: 'admin', request: upsertUsersRequestSchema, response: usersResponseSchema }),
  getUser: endpoint({ method: 'GET', path: '/v1/users/:id', auth: 'admin', request: undefined, response: userResponseSchema }),
  queryUsers: endpoint({ method: 'GET', path: '/v1/users', auth: 'admin', request: undefined, response: queryUsersResponseSchema, query: queryUsersQuerySchema }),
  updateUsersPartial: endpoint({ method: 'PATCH', path: '/v1/users', auth: 'admin', request: partialUpdateRequestSchema, response: usersResponseSchema }),
  putUser: endpoint({ method: 'PUT', path: '/v1/users/:id', auth: 'admin', request: putUserRequestSchema, response: putUserResponseSchema }),
  issueToken: endpoint({ method: 'POST', path: '/v1/users/:id/token', auth: 'admin', request: issueTokenRequestSchema, response: issueTokenResponseSchema }),
  revokeAllTokens: endpoint({ method: 'DELETE', path: '/v1/users/:id/token', auth: 'admin', request: undefined, response: revokeTokenResponseSchema }),
  // The app's secrets (docs/platform-api.md, "App secrets and rotation"); the kid goes in the body.
  listSecrets: endpoint({ method: 'GET', path: '/v1/app/secrets', auth: 'admin', request: undefined, response: secretsResponseSchema }),
  addSecret: endpoint({ method: 'POST', path: '/v1/app/secrets', auth: 'admin', request: emptyRequestSchema, response: addSecretResponseSchema }),
  promoteSecret: endpoint({ method: 'POST', path: '/v1/app/secrets/promote', auth: 'admin', request: secretChangeRequestSchema, response: secretsResponseSchema }),
  retireSecret: endpoint({ method: 'POST', path: '/v1/app/secrets/retire', auth: 'admin', request: secretChangeRequestSchema, response: secretsResponseSchema }),
} as const;

/** The client routes (a user's app). */
export const clientEndpoints = {
  connect: endpoint({ method: 'POST', path: '/v1/connect', auth: 'user', request: connectRequestSchema, response: connectResponseSchema }),
  guest: endpoint({ method: 'POST', path: '/v1/guest', auth: 'user', request: guestRequestSchema, response: guestResponseSchema }),
  getUser: endpoint({ method: 'GET', path: '/v1/users/:id', auth: 'user', request: undefined, response: userResponseSchema }),
  updateMe: endpoint({ method: 'PATCH', path: '/v1/me', auth: 'user', request: updateMeRequestSchema, response: userResponseSchema }),
} as const;

/** Fills `:id` in an endpoint's path, encoding the value. */
export function endpointPath(e: Pick<Endpoint, 'path'>, params: { id?: string } = {}): string {
  return e.path.replace(':id', () => {
    if (params.id === undefined) throw new Error(`${e.path} needs an id`);
    return encodeURIComponent(params.id);
  });
}
