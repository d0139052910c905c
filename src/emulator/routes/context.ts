import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { Endpoint } from '../../schemas/endpoints';
import type { User } from '../../schemas/users';
import type { AuthContext } from '../auth';
import type { EmulatorState } from '../state';
import type { WriteLog, WriteRecord } from '../writes';
import type { TestControls } from './test-routes';

/** What a route handler gets besides its decoded input. */
export interface RouteContext {
  requestId: string;
  /** The route as `"METHOD /path"`. */
  route: string;
  /** `:id` of the path, decoded and checked. */
  id: string;
  headers: IncomingHttpHeaders;
  nowMs: number;
  state: EmulatorState;
  auth: AuthContext;
  writes: WriteLog;
  /** The query string, decoded with the endpoint's `query` schema (`{}` for a route that reads none). */
  query: unknown;
  /** The emulator's test controls (faults, rate limit, write log, reset): read by the control routes only. */
  controls: TestControls;
}

/** The decoded request body of an endpoint (`undefined` for routes without one). */
export type InputOf<E> = E extends Endpoint<infer Req, z.ZodType>
  ? Req extends z.ZodType
    ? z.output<Req>
    : E extends { readonly query: infer Q extends z.ZodType }
      ? z.output<Q> // a route with a query string (GET /v1/users) gets its decoded query
      : undefined
  : never;
/** The response of an endpoint, before encoding (dates as `Date`). */
export type OutputOf<E> = E extends Endpoint<z.ZodType | undefined, infer Res> ? z.output<Res> : never;

/** One handler per endpoint of a table, typed by the endpoint's schemas. */
export type Handlers<T extends Record<string, Endpoint>> = {
  [K in keyof T]: (ctx: RouteContext, input: InputOf<T[K]>) => OutputOf<T[K]>;
};

/** Records an applied write in the audit log. */
export function recordWrite(ctx: RouteContext, write: Omit<WriteRecord, 'seq' | 'at' | 'route' | 'requestId'>): void {
  ctx.writes.add({ at: new Date(ctx.nowMs), route: ctx.route, requestId: ctx.requestId, ...write });
}

/** Fields of a user that only the platform writes: kept apart from name, role and custom fields. */
const PLATFORM_FIELDS = new Set(['id', 'created_at', 'updated_at', 'revoke_tokens_issued_before', 'requires_token']);

/** Name, role and custom fields of a user input (everything but the platform's fields and `omit`). */
export function contentFields(input: Record<string, unknown>, omit: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!PLATFORM_FIELDS.has(k) && !omit.includes(k) && v !== undefined) out[k] = v;
  }
  return out;
}

/** A new user record: role `user` unless given, no revocation, no token required. */
export function newUser(id: string, nowMs: number, content: Record<string, unknown> = {}): User {
  const now = new Date(nowMs);
  return {
    id,
    role: 'user',
    ...content,
    created_at: now,
    updated_at: now,
    revoke_tokens_issued_before: null,
    requires_token: false,
  } as User;
}
