import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { type AuthContext, bearerToken, checkApiKey, checkClientToken, checkServerToken, claimsServer } from './auth';
import type { Clock } from './clock';
import { type CorsOrigins, adminCrossOriginError, corsHeadersFor, crossOrigin, preflight, refuseAdminSide } from './cors';
import { PlatformError, invalidInput, platformError } from './errors';
import type { FaultDecision, FaultInjector, RateLimiter } from './faults';
import { FAST_CODECS } from './hot-path';
import { EventStream, parseJsonBody, pathId, readBody, sendEventStream, sendJson } from './http-io';
import { IDEMPOTENCY_KEY_PATTERN, type IdempotencyStore } from './idempotency';
import { saveDataFile } from './persist';
import { type Answers, type Match, ROUTE_KINDS, type RouteSide, matchRoute } from './router';
import type { RouteContext } from './routes/context';
import type { DashboardContext } from './routes/dashboard';
import type { TestControls } from './routes/test-routes';
import type { Dashboard } from './dashboard';
import type { EmulatorState } from './state';
import type { WriteLog } from './writes';

/**
 * One line of the emulator's request log. Never holds a header value, a token, a secret or a body.
 *
 * @example
 * ```ts
 * import { type EmulatorLogRecord, startEmulator } from 'tokenkit/emulator';
 * const log: EmulatorLogRecord[] = [];
 * const emulator = await startEmulator({ logger: (record) => log.push(record) });
 * await emulator.close();
 * ```
 */
export interface EmulatorLogRecord {
  /** The request's HTTP method. */
  method: string;
  /** The path, without the query string. */
  path: string;
  /** The status answered, or `"dropped"` where a fault destroyed the connection. */
  status: number | 'dropped';
  /** Milliseconds from the request's arrival to its answer (wall time, not the emulator's clock). */
  ms: number;
  /** The `X-Request-Id` answered. */
  requestId: string;
  /** The fault injected, if any: `"429"`, `"500"`, `"503"`, `"drop"`, `"drop_after"`, `"delay"`, `"rate_limit"`. */
  fault?: string;
}

/** Everything the request pipeline works with. */
export interface ServerDeps {
  apiKey: string;
  clock: Clock;
  toleranceSeconds: number;
  state: EmulatorState;
  faults: FaultInjector;
  rateLimit: RateLimiter;
  idempotency: IdempotencyStore;
  writes: WriteLog;
  controls: TestControls;
  dataFile: string | undefined;
  logger: ((record: EmulatorLogRecord) => void) | undefined;
  /**
   * The dashboard, where it is on: serves its page, checks and answers the routes of the
   * `dashboard` kind (`/_dashboard/api/...`), and sees every answered platform request.
   */
  dashboard?: ServedDashboard | undefined;
  /** The origins whose pages may call the client routes (CORS); admin routes never. */
  corsOrigins: CorsOrigins;
}

/** What the pipeline uses of the dashboard. */
export type ServedDashboard = Pick<Dashboard, 'owns' | 'isApi' | 'servePage' | 'authorize' | 'answer' | 'refuse' | 'record' | 'log'>;

/** Node's `clientError` codes answered with a status of their own; anything else is 400. */
const CLIENT_ERROR_ANSWERS = new Map<string | undefined, { status: number; reason: string; message: string }>([
  ['HPE_HEADER_OVERFLOW', { status: 431, reason: 'Request Header Fields Too Large', message: 'request headers too large' }],
  // Node's requestTimeout / headersTimeout: 408, as Node itself answers (and a client may retry it).
  ['ERR_HTTP_REQUEST_TIMEOUT', { status: 408, reason: 'Request Timeout', message: 'request timeout: the request did not arrive in time' }],
]);

/**
 * Answers a request that is not even valid HTTP (Node's `clientError`) in the contract's shape,
 * with an `X-Request-Id` like every other answer: 431 for headers over Node's limit, 408 where
 * the request did not arrive within Node's timeouts, else 400.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, reason, message } = CLIENT_ERROR_ANSWERS.get(err.code) ?? { status: 400, reason: 'Bad Request', message: 'malformed HTTP request' };
  const body = JSON.stringify({ code: 4, message, status_code: status });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The nominal limit reported with an injected 429 where no rate limit is configured. */
export const NOMINAL_RATE_LIMIT = 1000;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return clock.sleep ? clock.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
}

/** The answer to an injected status fault. */
function injectedError(d: FaultDecision, nowMs: number, limit: number): PlatformError {
  if (d.action === 429) {
    return platformError('rateLimited', 'rate limited (injected fault): retry after the Retry-After seconds', {
      'Retry-After': String(d.retryAfterSeconds),
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil((nowMs + d.retryAfterSeconds * 1000) / 1000)),
    });
  }
  if (d.action === 503) return platformError('internal', 'service unavailable (injected fault)', undefined, 503);
  return platformError('internal', 'internal error (injected fault)');
}

/**
 * The request pipeline: route (404/405), fault plan, rate limit, `Api-Key` (2), body (413, 400),
 * admin authentication, idempotency replay, input validation (400), the handler, the data file,
 * the answer. Every answer carries `X-Request-Id`; every request gets one log record.
 */
export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const dashboard = deps.dashboard?.owns(pathname) ? deps.dashboard : undefined;
    if (dashboard) {
      // The page and its bundle are files, not routes: the dashboard serves them (servePage says why).
      if (!dashboard.isApi(pathname)) return dashboard.servePage(req, res, pathname);
      // A route of the `dashboard` kind: the same pipeline, answered in the dashboard's shape and
      // left out of the request log (ROUTE_KINDS).
      handle(deps, req, method, pathname, requestId, {}, () => undefined, dashboard).then(
        (result) => (result === 'drop' ? req.socket.destroy() : dashboard.answer(req, res, result)),
        (err: unknown) => dashboard.refuse(res, err),
      );
      return;
    }
    const extra: Record<string, string> = { 'X-Request-Id': requestId };
    let fault: string | undefined;
    let refusal: PlatformError | undefined;

    const log = (status: number | 'dropped'): void => {
      const ms = performance.now() - started;
      deps.dashboard?.record({ method, path: pathname, status, code: refusal?.code, message: refusal?.message, ms, requestId, fault, headers: req.headers });
      if (!deps.logger) return;
      const record: EmulatorLogRecord = { method, path: pathname, status, ms, requestId };
      if (fault !== undefined) record.fault = fault;
      deps.logger(record);
    };
    const drop = (): void => {
      req.socket.destroy();
      log('dropped');
    };
    const answer = (status: number, body: string): void => {
      sendJson(res, status, body, extra);
      log(status);
    };

    handle(deps, req, method, pathname, requestId, extra, (f) => (fault = f)).then(
      (result) => {
        if (result === 'drop') drop();
        else if (result instanceof EventStream) {
          sendEventStream(req, res, result, extra);
          log(200);
        } else answer(result.status, result.body);
      },
      (err: unknown) => {
        const e =
          err instanceof PlatformError
            ? err
            : platformError('internal', `internal error: ${err instanceof Error ? err.message : String(err)}`);
        Object.assign(extra, e.headers);
        refusal = e;
        answer(e.status, JSON.stringify(e.toBody()));
      },
    );
  };
}

type Answer = { status: number; body: string } | EventStream;
type Result = Answer | 'drop';

async function handle(
  deps: ServerDeps,
  req: IncomingMessage,
  method: string,
  pathname: string,
  requestId: string,
  extra: Record<string, string>,
  setFault: (f: string) => void,
  dashboard?: ServedDashboard,
): Promise<Result> {
  let origin: string | undefined;
  if (dashboard) {
    // The `dashboard` auth holds for every path under /_dashboard/api/, checked before matching
    // (Dashboard.authorize); it is the kind's own origin rule, so CORS does not apply.
    dashboard.authorize(req, method);
  } else {
    if (method === 'OPTIONS') {
      const answer = preflight(deps.corsOrigins, req, pathname, extra);
      if (answer) return answer;
    }
    origin = crossOrigin(req);
  }
  const match = routeOf(method, pathname, dashboard ? 'dashboard' : 'platform');
  const { route } = match;
  const kind = ROUTE_KINDS[route.kind];
  // The control routes are admin routes: never called from another origin.
  if (route.kind === 'control' && origin !== undefined) throw adminCrossOriginError(origin, `${method} ${pathname}`);
  if (origin !== undefined) Object.assign(extra, corsHeadersFor(deps.corsOrigins, origin, route.user !== undefined, route.key));
  const decision = kind.faults ? deps.faults.next(route.key) : undefined;
  if (decision) {
    setFault(String(decision.action));
    if (decision.action === 'drop') return 'drop';
    if (decision.action === 'delay') await sleep(deps.clock, decision.delayMs);
    else if (decision.action !== 'drop_after') {
      throw injectedError(decision, deps.clock.now(), deps.rateLimit.config?.limit ?? NOMINAL_RATE_LIMIT);
    }
  }
  const verdict = kind.rateLimit ? deps.rateLimit.check(route.key, deps.clock.now()) : undefined;
  if (verdict) {
    Object.assign(extra, verdict.headers);
    if (verdict.limited) {
      setFault('rate_limit');
      throw platformError('rateLimited', `rate limited: at most ${verdict.headers['X-RateLimit-Limit']} requests per window on ${route.key}`, {
        'Retry-After': String(verdict.retryAfterSeconds),
      });
    }
  }

  // Api-Key: every route's but the dashboard's, whose auth was checked above.
  if (!route.dashboard) checkApiKey(req.headers, deps.apiKey);
  const raw = await readBody(req);
  const body = parseJsonBody(method, raw, header(req, 'content-type'));
  const nowMs = deps.clock.now();
  const auth: AuthContext = { apiKey: deps.apiKey, state: deps.state, nowMs, toleranceSeconds: deps.toleranceSeconds };

  // The endpoint's `auth` decides who may call it. GET /v1/users/{id} has both sides: a server
  // token makes it the admin one. A dashboard route reads no Authorization header.
  const token = route.dashboard ? undefined : bearerToken(req.headers);
  const side: RouteSide | undefined = route.dashboard ?? (route.admin && (!route.user || claimsServer(token)) ? route.admin : route.user);
  if (!side) throw platformError('internal', `route ${route.key} has no handler`);
  const isAdmin = side.endpoint.auth === 'admin';
  if (isAdmin && origin !== undefined) refuseAdminSide(extra, origin, route.key);
  if (isAdmin) checkServerToken(token, auth);
  const query = readQuery(side, req);

  const ctx: RouteContext = {
    requestId,
    route: route.key,
    id: pathId(match.rawId),
    headers: req.headers,
    nowMs,
    state: deps.state,
    auth,
    writes: deps.writes,
    query,
    controls: deps.controls,
  };

  const idemKey = method === 'GET' || !kind.idempotency ? undefined : header(req, 'idempotency-key');
  let fingerprint = '';
  if (idemKey !== undefined) {
    if (!IDEMPOTENCY_KEY_PATTERN.test(idemKey)) {
      throw platformError('input', 'Invalid Idempotency-Key header: expected 1 to 255 visible ASCII characters');
    }
    // A replay needs the same request; for client routes also the same credentials.
    fingerprint = isAdmin
      ? sha256(method, pathname, raw.toString('base64'))
      : sha256(method, pathname, raw.toString('base64'), header(req, 'authorization') ?? '', header(req, 'x-connection-id') ?? '');
    const stored = deps.idempotency.get(idemKey, nowMs);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw platformError('input', 'Idempotency-Key was already used for another request (method, path, body or credentials differ)');
      }
      // The token is checked on every request (docs/platform-api.md): one revoked or expired since
      // the first answer gets 44 or 40, not the stored answer. Its user was matched then.
      if (!isAdmin && token !== undefined) checkClientToken(token, undefined, auth);
      extra['Idempotent-Replayed'] = 'true';
      return finish(decision, { status: stored.status, body: stored.body });
    }
  }

  // A dashboard route also reads the dashboard's request buffer (DashboardContext).
  const dashboardCtx: DashboardContext | undefined = dashboard ? { ...ctx, log: dashboard.log } : undefined;
  const result = run(dashboardCtx ?? ctx, side, body);
  if (deps.state.dirty) {
    if (deps.dataFile !== undefined) saveDataFile(deps.dataFile, deps.state);
    deps.state.dirty = false;
  }
  if (idemKey !== undefined && !(result instanceof EventStream)) deps.idempotency.put(idemKey, { fingerprint, ...result }, nowMs);
  return finish(decision, result);
}

/**
 * The matches of the paths without an `:id`, by `"METHOD /path"`: a finite set (the route
 * table's), looked up in one step instead of trying each route. Refusals (404, 405) are not kept.
 */
const STATIC_MATCHES = new Map<string, Match>();

function routeOf(method: string, pathname: string, answers: Answers): Match {
  const key = answers + ' ' + method + ' ' + pathname;
  let match = STATIC_MATCHES.get(key);
  if (match === undefined) {
    match = matchRoute(method, pathname, answers);
    if (match.rawId === undefined) STATIC_MATCHES.set(key, match);
  }
  return match;
}

/** The query string as an object; a parameter given twice is refused (400, code 4), not silently collapsed. */
function queryOf(req: IncomingMessage): Record<string, string> {
  const seen = new Map<string, string>();
  for (const [k, v] of new URLSearchParams((req.url ?? '').split('?')[1] ?? '')) {
    if (seen.has(k)) throw platformError('input', `Invalid query: ${k}: given more than once`);
    seen.set(k, v);
  }
  return Object.fromEntries(seen); // own keys, "__proto__" included (refused as unknown)
}

function finish(decision: FaultDecision | undefined, result: Answer): Result {
  // drop_after: applied (and remembered for a retry with the same Idempotency-Key), answer lost.
  return decision?.action === 'drop_after' ? 'drop' : result;
}

function run(ctx: RouteContext, side: RouteSide, body: unknown): Answer {
  const { endpoint, handler } = side;
  // The hot routes' plain bodies and their answers skip zod (hot-path.ts): same input, same bytes.
  const fast = FAST_CODECS.get(endpoint);
  let input: unknown;
  if (endpoint.request) {
    input = fast?.decode?.(body);
    if (input === undefined) {
      const parsed = z.safeDecode(endpoint.request, body as never);
      if (!parsed.success) throw invalidInput('request body', parsed.error);
      input = parsed.data;
    }
  } else if (endpoint.query) {
    // A route that reads a query and no body takes the decoded query as its input.
    input = ctx.query;
  }
  const output = handler(ctx, input);
  // An event stream (the dashboard's live request log) is answered as it is, not as JSON.
  if (output instanceof EventStream) return output;
  return { status: 200, body: fast?.encode ? fast.encode(output) : JSON.stringify(z.encode(endpoint.response, output as never)) };
}

/** The query string, decoded with the endpoint's `query` schema: 400 (code 4) where it does not match. */
function readQuery(side: RouteSide, req: IncomingMessage): unknown {
  const schema = side.endpoint.query;
  if (schema === undefined) return {};
  const parsed = schema.safeParse(queryOf(req));
  if (!parsed.success) throw invalidInput('query', parsed.error);
  return parsed.data;
}
