import { z } from 'zod';
import { appPatchSchema, appResponseSchema } from './app';
import {
  connectRequestSchema,
  connectResponseSchema,
  guestRequestSchema,
  guestResponseSchema,
  updateMeRequestSchema,
} from './client-routes';
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
  /** `admin`: Api-Key + server token; `user`: Api-Key + user token or connection. */
  readonly auth: 'admin' | 'user';
  readonly request: Req;
  readonly response: Res;
  /** Safe to send twice (reads, and writes that set a state rather than add to it). */
  readonly idempotent: boolean;
  /** The query string's parameters (strings in, decoded values out), for routes that take one. */
  readonly query?: z.ZodType | undefined;
}

const endpoint = <Req extends z.ZodType | undefined, Res extends z.ZodType, Q extends z.ZodType | undefined = undefined>(
  e: Endpoint<Req, Res> & { readonly query?: Q },
): Endpoint<Req, Res> & { readonly query: Q } => e as Endpoint<Req, Res> & { readonly query: Q };

/** The admin routes (server side). */
export const adminEndpoints = {
  getApp: endpoint({ method: 'GET', path: '/v1/app', auth: 'admin', request: undefined, response: appResponseSchema, idempotent: true }),
  updateApp: endpoint({ method: 'PATCH', path: '/v1/app', auth: 'admin', request: appPatchSchema, response: appResponseSchema, idempotent: true }),
  upsertUsers: endpoint({ method: 'POST', path: '/v1/users', auth: 'admin', request: upsertUsersRequestSchema, response: usersResponseSchema, idempotent: true }),
  getUser: endpoint({ method: 'GET', path: '/v1/users/:id', auth: 'admin', request: undefined, response: userResponseSchema, idempotent: true }),
  queryUsers: endpoint({ method: 'GET', path: '/v1/users', auth: 'admin', request: undefined, response: queryUsersResponseSchema, idempotent: true, query: queryUsersQuerySchema }),
  updateUsersPartial: endpoint({ method: 'PATCH', path: '/v1/users', auth: 'admin', request: partialUpdateRequestSchema, response: usersResponseSchema, idempotent: true }),
  putUser: endpoint({ method: 'PUT', path: '/v1/users/:id', auth: 'admin', request: putUserRequestSchema, response: putUserResponseSchema, idempotent: false }),
  issueToken: endpoint({ method: 'POST', path: '/v1/users/:id/token', auth: 'admin', request: issueTokenRequestSchema, response: issueTokenResponseSchema, idempotent: false }),
  revokeAllTokens: endpoint({ method: 'DELETE', path: '/v1/users/:id/token', auth: 'admin', request: undefined, response: revokeTokenResponseSchema, idempotent: true }),
} as const;

/** The client routes (a user's app). */
export const clientEndpoints = {
  connect: endpoint({ method: 'POST', path: '/v1/connect', auth: 'user', request: connectRequestSchema, response: connectResponseSchema, idempotent: false }),
  guest: endpoint({ method: 'POST', path: '/v1/guest', auth: 'user', request: guestRequestSchema, response: guestResponseSchema, idempotent: false }),
  getUser: endpoint({ method: 'GET', path: '/v1/users/:id', auth: 'user', request: undefined, response: userResponseSchema, idempotent: true }),
  updateMe: endpoint({ method: 'PATCH', path: '/v1/me', auth: 'user', request: updateMeRequestSchema, response: userResponseSchema, idempotent: true }),
} as const;

/** Fills `:id` in an endpoint's path, encoding the value. */
export function endpointPath(e: Pick<Endpoint, 'path'>, params: { id?: string } = {}): string {
  return e.path.replace(':id', () => {
    if (params.id === undefined) throw new Error(`${e.path} needs an id`);
    return encodeURIComponent(params.id);
  });
}
