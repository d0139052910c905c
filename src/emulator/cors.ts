import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { clientEndpoints } from '../schemas/endpoints';
import { PlatformError, platformError } from './errors';
import { matchRoute } from './router';

/**
 * Which web origins may call the client routes from a browser: a list of origins
 * (`http://localhost:3000`: scheme, host and port, no path), or `'*'` for any. Admin routes and
 * the emulator's own test routes never answer a cross-origin request.
 *
 * @example
 * ```ts
 * import { type CorsOrigins, startEmulator } from 'tokenkit/emulator';
 * const corsOrigins: CorsOrigins = ['http://localhost:3000'];
 * const local = await startEmulator({ corsOrigins });
 * await local.close();
 * ```
 */
export type CorsOrigins = readonly string[] | '*';

const originSchema = z.string().refine(
  (s) => {
    try {
      const url = new URL(s);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === s;
    } catch {
      return false;
    }
  },
  { error: 'expected an origin such as "http://localhost:3000" (scheme, host and port; no path, no trailing slash)' },
);

export const corsOriginsSchema = z.union([z.literal('*'), z.array(originSchema).readonly()], {
  error: 'expected "*" or a list of origins such as ["http://localhost:3000"]',
});

/** The request headers a browser may send on a client route (what UserClient sends). */
const ALLOWED_HEADERS = 'Accept, Api-Key, Authorization, Content-Type, Idempotency-Key, X-Connection-Id';
/** The answer headers a page may read besides the simple ones. */
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Idempotent-Replayed';

/**
 * The request's `Origin` when it is a cross-origin one (a browser's page on another origin),
 * else undefined. Same-origin requests and requests from servers (no `Origin`) are not.
 */
export function crossOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === '') return undefined;
  return origin === `http://${req.headers.host ?? ''}` ? undefined : origin;
}

function allows(origins: CorsOrigins, origin: string): boolean {
  return origins === '*' || origins.includes(origin);
}

/** The refusal of a cross-origin request on an admin or test route. */
export function adminCrossOriginError(origin: string, what: string): PlatformError {
  return platformError(
    'notAllowed',
    `cross-origin requests are not allowed on admin routes (${what} from Origin ${origin}): admin calls carry the app secret's server token, so make them from your backend`,
  );
}

/** The refusal of a client-route request from an origin not in the allow-list. */
function originNotAllowed(origins: CorsOrigins, origin: string): PlatformError {
  const list = origins === '*' ? '*' : origins.length === 0 ? 'none' : origins.join(', ');
  return platformError(
    'notAllowed',
    `origin ${origin} is not allowed to call the client routes: start the emulator with corsOrigins (CLI: --cors-origin) including it (allowed now: ${list})`,
  );
}

/** The headers that let a page on `origin` read the answer. */
function exposeTo(origin: string): Record<string, string> {
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' };
}

/**
 * Checks a cross-origin request on a route before anything else runs: refused (403, code 17) on a
 * route with no client side, or from an origin not in the list; else the CORS answer headers,
 * which every answer of this request then carries (errors included: UserClient reads a 401's code
 * to refresh its token). A route that is both (GET /v1/users/:id) is checked again once the token
 * says which side it is: see {@link refuseAdminSide}.
 */
export function corsHeadersFor(origins: CorsOrigins, origin: string, hasClientSide: boolean, what: string): Record<string, string> {
  if (!hasClientSide) throw adminCrossOriginError(origin, what);
  if (!allows(origins, origin)) throw originNotAllowed(origins, origin);
  return exposeTo(origin);
}

/** Removes the CORS answer headers again and refuses: the request turned out to be an admin call. */
export function refuseAdminSide(extra: Record<string, string>, origin: string, what: string): never {
  for (const name of Object.keys(exposeTo(origin))) delete extra[name];
  throw adminCrossOriginError(origin, what);
}

const CLIENT_METHODS_BY_PATH = new Map<string, string[]>();
for (const e of Object.values(clientEndpoints)) CLIENT_METHODS_BY_PATH.set(e.path, [...(CLIENT_METHODS_BY_PATH.get(e.path) ?? []), e.method]);

/**
 * Answers a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`): 204 with
 * the allow headers when the method is a client route's and the origin is allowed; 403 (code 17)
 * otherwise. Returns undefined for an `OPTIONS` that is not a preflight (the router answers 405).
 */
export function preflight(
  origins: CorsOrigins,
  req: IncomingMessage,
  pathname: string,
  extra: Record<string, string>,
): { status: number; body: string } | undefined {
  const origin = req.headers.origin;
  const wanted = req.headers['access-control-request-method'];
  if (typeof origin !== 'string' || typeof wanted !== 'string') return undefined;
  const what = `${wanted} ${pathname}`;
  if (pathname.startsWith('/_emulator/')) throw adminCrossOriginError(origin, what);
  const { route } = matchRoute(wanted, pathname);
  Object.assign(extra, corsHeadersFor(origins, origin, route.user !== undefined, what), {
    'Access-Control-Allow-Methods': (CLIENT_METHODS_BY_PATH.get(route.user?.endpoint.path ?? '') ?? [wanted]).join(', '),
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': '600',
  });
  return { status: 204, body: '' };
}
