import { z } from 'zod';
import { secretsResponseSchema } from '../../schemas/secrets';
import { ArgumentError } from '../../errors';
import { appSchema } from '../../schemas/app';
import { userIdSchema } from '../../schemas/common';
import { type Endpoint, type HttpMethod, adminEndpoints } from '../../schemas/endpoints';
import { type User, userSchema } from '../../schemas/users';
import { decodeJsonSegment } from '../../tokens/jws';
import { mintUserToken } from '../../tokens/mint';
import { invalidInput, platformError } from '../errors';
import { inspectToken } from '../dashboard/inspect';
import type { RequestLog } from '../dashboard/request-log';
import { EventStream } from '../http-io';
import type { EmulatorState } from '../state';
import { adminHandlers } from './admin';
import type { InputOf, OutputOf, RouteContext } from './context';

/** Where the dashboard's API routes live: every path under it is the `dashboard` kind's. */
export const DASHBOARD_API_PATH = '/_dashboard/api/';

/** What a dashboard route's handler gets: a route's context, and the dashboard's request buffer. */
export interface DashboardContext extends RouteContext {
  log: RequestLog;
}

/** One handler per dashboard endpoint, typed by the endpoint's schemas. */
export type DashboardHandlers<T extends Record<string, Endpoint>> = {
  [K in keyof T]: (ctx: DashboardContext, input: InputOf<T[K]>) => OutputOf<T[K]>;
};

type AdminName = keyof typeof adminEndpoints;

/**
 * Runs a contract admin handler for the dashboard: the same input schema and handler as over
 * HTTP, so the dashboard cannot do what the platform would refuse; the dashboard's endpoint
 * encodes the answer with the admin endpoint's response schema. The write log records the
 * dashboard's route. The pipeline writes the data file after a change, as for any route.
 */
function admin<N extends AdminName>(ctx: RouteContext, name: N, id: string, wireBody: unknown): OutputOf<(typeof adminEndpoints)[N]> {
  const endpoint = adminEndpoints[name];
  let input: unknown;
  if (endpoint.request) {
    const parsed = z.safeDecode(endpoint.request as z.ZodType, wireBody as never);
    if (!parsed.success) throw invalidInput('request body', parsed.error);
    input = parsed.data;
  }
  const handler = adminHandlers[name] as (c: RouteContext, i: unknown) => OutputOf<(typeof adminEndpoints)[N]>;
  return handler({ ...ctx, id, query: {} }, input);
}

const nowIso = (ctx: RouteContext): string => new Date(ctx.nowMs).toISOString();

const appSettingsBody = z.strictObject({
  disable_auth_checks: z.boolean().optional(),
  access_token_permission: z.enum(['deny_login', 'read_only', 'read_write']).optional(),
  jwt_enabled: z.boolean().optional(),
  jwt_compatibility_mode: z.boolean().optional(),
});

const createUserBody = z.strictObject({ id: userIdSchema, name: z.string().max(1024).optional() });

const generateBody = z.strictObject({ user_id: z.unknown(), validity_in_seconds: z.unknown().optional() });

const inspectBody = z.strictObject({ token: z.string().min(1, { error: 'paste a token' }).max(16_384) });

const usersQuery = z.strictObject({
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).optional(),
  per_page: z.coerce.number().int().min(1).max(100).optional(),
});

/**
 * The answer of a route made for the page alone (not a contract shape), sent as the handler
 * builds it: the page reads it with the types of `ui/` and `dashboard/wire.ts`.
 */
const pageAnswer = z.unknown();

/** The Requests page's live log: an event stream, not JSON (see `EventStream`). */
const requestStream = z.instanceof(EventStream);

/** A user as the Users page shows it: the wire shape, plus whether it is a guest. */
function userRow(user: User): Record<string, unknown> {
  return { ...(z.encode(userSchema, user) as Record<string, unknown>), guest: user.role === 'guest' };
}

function appView(state: EmulatorState): unknown {
  const app = state.app;
  return z.encode(appSchema.pick({ revoke_tokens_issued_before: true, disable_auth_checks: true, access_token_permission: true, jwt_enabled: true, jwt_compatibility_mode: true }), app);
}

function faultsView(ctx: RouteContext): unknown {
  return { faults: ctx.controls.faults.stats(), rate_limit: ctx.controls.rateLimit.config ?? null };
}

const dashboard = <Req extends z.ZodType | undefined, Res extends z.ZodType, Q extends z.ZodType | undefined = undefined>(
  method: HttpMethod,
  path: string,
  request: Req,
  response: Res,
  query?: Q,
) => ({ method, path: `${DASHBOARD_API_PATH}${path}`, auth: 'dashboard', request, response, query: query as Q }) as const satisfies Endpoint<Req, Res>;

/**
 * The dashboard's API, under `/_dashboard/api/`: entries of the emulator's route table of the
 * `dashboard` kind (never hit by faults, the rate limit or `Idempotency-Key` replays, answered in
 * the dashboard's `{ error }` shape and left out of the request log). `auth: 'dashboard'`: the
 * dashboard token on every call, and the same-origin check on every `POST` (all the ones that
 * change something, and those that take a token or sign one). Where a route does what an admin
 * route does, it runs that route's handler and answers with its response schema.
 */
export const dashboardEndpoints = {
  getState: dashboard('GET', 'state', undefined, pageAnswer),
  updateApp: dashboard('POST', 'app', appSettingsBody, adminEndpoints.updateApp.response),
  revokeApp: dashboard('POST', 'app/revoke', undefined, adminEndpoints.updateApp.response),
  undoRevokeApp: dashboard('POST', 'app/undo-revoke', undefined, adminEndpoints.updateApp.response),
  listUsers: dashboard('GET', 'users', undefined, pageAnswer, usersQuery),
  createUser: dashboard('POST', 'users', createUserBody, pageAnswer),
  revokeUser: dashboard('POST', 'users/:id/revoke', undefined, adminEndpoints.updateUsersPartial.response),
  restoreUser: dashboard('POST', 'users/:id/restore', undefined, adminEndpoints.updateUsersPartial.response),
  issueToken: dashboard('POST', 'users/:id/token', undefined, adminEndpoints.issueToken.response),
  deleteTokens: dashboard('POST', 'users/:id/delete-tokens', undefined, adminEndpoints.revokeAllTokens.response),
  // Signs with the app's secret: guarded like a change, though it stores nothing.
  generate: dashboard('POST', 'generate', generateBody, pageAnswer),
  // A POST so that the token travels in the body, never in a URL.
  inspect: dashboard('POST', 'inspect', inspectBody, pageAnswer),
  getFaults: dashboard('GET', 'faults', undefined, pageAnswer),
  clearFaults: dashboard('POST', 'faults/clear', undefined, pageAnswer),
  clearRateLimit: dashboard('POST', 'rate-limit/clear', undefined, pageAnswer),
  requestStream: dashboard('GET', 'requests/stream', undefined, requestStream),
};

/** The handlers of the dashboard's routes: input already checked by the endpoint's schemas. */
export const dashboardHandlers: DashboardHandlers<typeof dashboardEndpoints> = {
  getState: (ctx) => ({
    app: appView(ctx.state),
    // The app's secrets by id and state, never a value (as GET /v1/app/secrets).
    secrets: z.encode(secretsResponseSchema, { secrets: ctx.state.secrets.list() }).secrets,
    now: ctx.nowMs,
    api_key: ctx.auth.apiKey,
    users: ctx.state.users.size,
    requests: ctx.log.total,
  }),
  updateApp: (ctx, settings) => admin(ctx, 'updateApp', '', settings),
  revokeApp: (ctx) => admin(ctx, 'updateApp', '', { revoke_tokens_issued_before: nowIso(ctx) }),
  undoRevokeApp: (ctx) => admin(ctx, 'updateApp', '', { revoke_tokens_issued_before: null }),
  listUsers: (ctx, { q = '', page = 1, per_page = 20 }) => {
    const needle = q.toLowerCase();
    const all = [...ctx.state.users.values()]
      .filter((u) => needle === '' || u.id.toLowerCase().includes(needle) || (typeof u.name === 'string' && u.name.toLowerCase().includes(needle)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const start = (page - 1) * per_page;
    return { users: all.slice(start, start + per_page).map(userRow), total: all.length, page, per_page };
  },
  createUser: (ctx, { id, name }) => {
    if (ctx.state.users.has(id)) throw platformError('input', `user "${id}" already exists`);
    admin(ctx, 'upsertUsers', '', { users: [name === undefined ? { id } : { id, name }] });
    return { user: userRow(ctx.state.users.get(id)!) };
  },
  revokeUser: (ctx) => admin(ctx, 'updateUsersPartial', '', { users: [{ id: ctx.id, set: { revoke_tokens_issued_before: nowIso(ctx) } }] }),
  restoreUser: (ctx) => admin(ctx, 'updateUsersPartial', '', { users: [{ id: ctx.id, set: { revoke_tokens_issued_before: null } }] }),
  issueToken: (ctx) => admin(ctx, 'issueToken', ctx.id, {}),
  deleteTokens: (ctx) => admin(ctx, 'revokeAllTokens', ctx.id, undefined),
  generate: (ctx, input) => {
    let token: string;
    try {
      token = mintUserToken(ctx.state.secrets.keyring, input as never, ctx.state.issuer.mintNow());
    } catch (err) {
      if (err instanceof ArgumentError) throw platformError('input', err.message);
      throw err;
    }
    const [h = '', p = ''] = token.split('.');
    return { token, header: decodeJsonSegment(h), claims: decodeJsonSegment(p) };
  },
  inspect: (ctx, { token }) => inspectToken(token, ctx.auth),
  getFaults: (ctx) => faultsView(ctx),
  clearFaults: (ctx) => {
    ctx.controls.faults.clear();
    return faultsView(ctx);
  },
  clearRateLimit: (ctx) => {
    ctx.controls.rateLimit.clear();
    return faultsView(ctx);
  },
  requestStream: (ctx) => ctx.log.stream(),
};
