import { randomUUID } from 'node:crypto';
import type { TestControls } from '../routes/test-routes';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { secretsResponseSchema } from '../../schemas/secrets';
import { ArgumentError } from '../../errors';
import { appSchema } from '../../schemas/app';
import { userIdSchema } from '../../schemas/common';
import { adminEndpoints } from '../../schemas/endpoints';
import { type User, userSchema } from '../../schemas/users';
import { decodeJsonSegment } from '../../tokens/jws';
import { mintUserToken } from '../../tokens/mint';
import type { AuthContext } from '../auth';
import type { Clock } from '../clock';
import { invalidInput, platformError } from '../errors';
import type { FaultInjector, RateLimiter } from '../faults';
import { adminHandlers } from '../routes/admin';
import type { RouteContext } from '../routes/context';
import type { EmulatorState } from '../state';
import type { WriteLog } from '../writes';
import { inspectToken } from './inspect';
import type { RequestLog } from './request-log';

/** What the dashboard's API reaches: the emulator's state and tools, never a secret's value (tokens are signed with the state's keyring). */
export interface DashboardDeps {
  apiKey: string;
  clock: Clock;
  toleranceSeconds: number;
  state: EmulatorState;
  writes: WriteLog;
  faults: FaultInjector;
  rateLimit: RateLimiter;
  /** The emulator's test controls, as the control routes see them (admin handlers take them in their context). */
  controls: TestControls;
  /** Writes the data file where there is one and the state changed. */
  persist(): void;
}

/** One dashboard API call as the handler sees it. */
export interface DashboardCall {
  deps: DashboardDeps;
  log: RequestLog;
  /** The route's `"METHOD /path"`, recorded in the write log for the writes it makes. */
  route: string;
  /** `:id` of the path, decoded and checked. */
  id: string;
  body: unknown;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/**
 * A dashboard API route. Every one needs the dashboard token; every `POST` (all the ones that
 * change something, and those that take a token or sign one) also passes the same-origin check.
 */
export interface DashboardRoute {
  method: 'GET' | 'POST';
  /** Under `/_dashboard/api`; `:id` where a user id goes. */
  path: string;
  handler(call: DashboardCall): unknown;
}

type AdminName = keyof typeof adminEndpoints;

/**
 * Runs a contract admin handler for the dashboard: the same input schema, handler and output
 * schema as over HTTP, so the dashboard cannot do what the platform would refuse. The data file
 * is written after a change.
 */
function admin(call: DashboardCall, name: AdminName, id: string, wireBody: unknown): unknown {
  const { deps } = call;
  const nowMs = deps.clock.now();
  const auth: AuthContext = { apiKey: deps.apiKey, state: deps.state, nowMs, toleranceSeconds: deps.toleranceSeconds };
  const ctx: RouteContext = { requestId: randomUUID(), route: call.route, id, headers: call.headers, nowMs, state: deps.state, auth, writes: deps.writes, query: {}, controls: deps.controls };
  const endpoint = adminEndpoints[name];
  let input: unknown;
  if (endpoint.request) {
    const parsed = z.safeDecode(endpoint.request as z.ZodType, wireBody as never);
    if (!parsed.success) throw invalidInput('request body', parsed.error);
    input = parsed.data;
  }
  const output = (adminHandlers[name] as (c: RouteContext, i: unknown) => unknown)(ctx, input);
  deps.persist();
  return z.encode(endpoint.response as z.ZodType, output as never);
}

const nowIso = (call: DashboardCall): string => new Date(call.deps.clock.now()).toISOString();

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

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(what, parsed.error);
  return parsed.data;
}

/** A user as the Users page shows it: the wire shape, plus whether it is a guest. */
function userRow(user: User): Record<string, unknown> {
  return { ...(z.encode(userSchema, user) as Record<string, unknown>), guest: user.role === 'guest' };
}

function appView(state: EmulatorState): unknown {
  const app = state.app;
  return z.encode(appSchema.pick({ revoke_tokens_issued_before: true, disable_auth_checks: true, access_token_permission: true, jwt_enabled: true, jwt_compatibility_mode: true }), app);
}

function faultsView(deps: DashboardDeps): unknown {
  return { faults: deps.faults.stats(), rate_limit: deps.rateLimit.config ?? null };
}

/** The dashboard's API routes, under `/_dashboard/api`. */
export const DASHBOARD_ROUTES: readonly DashboardRoute[] = [
  {
    method: 'GET',
    path: '/state',
    handler: ({ deps, log }) => ({
      app: appView(deps.state),
      // The app's secrets by id and state, never a value (as GET /v1/app/secrets).
      secrets: z.encode(secretsResponseSchema, { secrets: deps.state.secrets.list() }).secrets,
      now: deps.clock.now(),
      api_key: deps.apiKey,
      users: deps.state.users.size,
      requests: log.total,
    }),
  },
  {
    method: 'POST',
    path: '/app',
    handler: (call) => admin(call, 'updateApp', '', parse(appSettingsBody, call.body, 'request body')),
  },
  {
    method: 'POST',
    path: '/app/revoke',
    handler: (call) => admin(call, 'updateApp', '', { revoke_tokens_issued_before: nowIso(call) }),
  },
  {
    method: 'POST',
    path: '/app/undo-revoke',
    handler: (call) => admin(call, 'updateApp', '', { revoke_tokens_issued_before: null }),
  },
  {
    method: 'GET',
    path: '/users',
    handler: ({ deps, query }) => {
      const { q = '', page = 1, per_page = 20 } = parse(usersQuery, Object.fromEntries(query), 'query');
      const needle = q.toLowerCase();
      const all = [...deps.state.users.values()]
        .filter((u) => needle === '' || u.id.toLowerCase().includes(needle) || (typeof u.name === 'string' && u.name.toLowerCase().includes(needle)))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const start = (page - 1) * per_page;
      return { users: all.slice(start, start + per_page).map(userRow), total: all.length, page, per_page };
    },
  },
  {
    method: 'POST',
    path: '/users',
    handler: (call) => {
      const { id, name } = parse(createUserBody, call.body, 'request body');
      if (call.deps.state.users.has(id)) throw platformError('input', `user "${id}" already exists`);
      admin(call, 'upsertUsers', '', { users: [name === undefined ? { id } : { id, name }] });
      return { user: userRow(call.deps.state.users.get(id)!) };
    },
  },
  {
    method: 'POST',
    path: '/users/:id/revoke',
    handler: (call) => admin(call, 'updateUsersPartial', '', { users: [{ id: call.id, set: { revoke_tokens_issued_before: nowIso(call) } }] }),
  },
  {
    method: 'POST',
    path: '/users/:id/restore',
    handler: (call) => admin(call, 'updateUsersPartial', '', { users: [{ id: call.id, set: { revoke_tokens_issued_before: null } }] }),
  },
  {
    method: 'POST',
    path: '/users/:id/token',
    handler: (call) => admin(call, 'issueToken', call.id, {}),
  },
  {
    method: 'POST',
    path: '/users/:id/delete-tokens',
    handler: (call) => admin(call, 'revokeAllTokens', call.id, undefined),
  },
  {
    // Signs with the app's secret: guarded like a change, though it stores nothing.
    method: 'POST',
    path: '/generate',
    handler: ({ deps, body }) => {
      const input = parse(generateBody, body, 'request body');
      let token: string;
      try {
        token = mintUserToken(deps.state.secrets.keyring, input as never, deps.state.issuer.mintNow());
      } catch (err) {
        if (err instanceof ArgumentError) throw platformError('input', err.message);
        throw err;
      }
      const [h = '', p = ''] = token.split('.');
      return { token, header: decodeJsonSegment(h), claims: decodeJsonSegment(p) };
    },
  },
  {
    // A POST so that the token travels in the body, never in a URL.
    method: 'POST',
    path: '/inspect',
    handler: ({ deps, body }) => {
      const { token } = parse(inspectBody, body, 'request body');
      return inspectToken(token, { apiKey: deps.apiKey, state: deps.state, nowMs: deps.clock.now(), toleranceSeconds: deps.toleranceSeconds });
    },
  },
  { method: 'GET', path: '/faults', handler: ({ deps }) => faultsView(deps) },
  {
    method: 'POST',
    path: '/faults/clear',
    handler: ({ deps }) => {
      deps.faults.clear();
      return faultsView(deps);
    },
  },
  {
    method: 'POST',
    path: '/rate-limit/clear',
    handler: ({ deps }) => {
      deps.rateLimit.clear();
      return faultsView(deps);
    },
  },
];
