import type { z } from 'zod';
import { type Endpoint, type HttpMethod, adminEndpoints, clientEndpoints } from '../schemas/endpoints';
import { platformError } from './errors';
import { adminHandlers } from './routes/admin';
import { clientHandlers } from './routes/client';
import type { RouteContext } from './routes/context';
import { dashboardEndpoints, dashboardHandlers } from './routes/dashboard';
import { controlEndpoints, controlHandlers } from './routes/test-routes';
import { DashboardRefusal } from './dashboard/security';

/** A handler as the server calls it: decoded input in, response value out. */
export type AnyHandler = (ctx: RouteContext, input: unknown) => unknown;

/**
 * What a kind of route goes through besides routing, authentication (by the endpoint's `auth`)
 * and validation. `contract`: the platform's routes, which faults, the rate limit and
 * `Idempotency-Key` replays apply to. `control`: the emulator's own `/_emulator/...` routes, which
 * none of them touch. `dashboard`: the dashboard's API under `/_dashboard/api/` (served only where
 * the dashboard is on), which none of them touch either.
 *
 * `answers` says how a request of the kind is answered: `platform`, in the contract's shape
 * (`{ code, message, status_code }`, `X-Request-Id`, one line in the request log); `dashboard`, in
 * the dashboard's (`{ error, code? }` with its no-store headers, left out of the request log, which
 * shows the platform's traffic, not the dashboard's own polling). A path that no route matches is
 * answered by the `answers` of the part of the address it is in (`/_dashboard/api/` or the rest).
 * Another kind is one more entry here and one more table in {@link ROUTES}.
 */
export const ROUTE_KINDS = {
  contract: { faults: true, rateLimit: true, idempotency: true, answers: 'platform' },
  control: { faults: false, rateLimit: false, idempotency: false, answers: 'platform' },
  dashboard: { faults: false, rateLimit: false, idempotency: false, answers: 'dashboard' },
} as const satisfies Record<string, { faults: boolean; rateLimit: boolean; idempotency: boolean; answers: Answers }>;

/** How a kind's requests are answered: see {@link ROUTE_KINDS}. */
export type Answers = 'platform' | 'dashboard';

/** The kind of a route, e.g. `control`. */
export type RouteKind = keyof typeof ROUTE_KINDS;

/** One side of a route: the endpoint for one `auth` (admin, user or dashboard), with its handler. */
export interface RouteSide {
  name: string;
  endpoint: Endpoint<z.ZodType | undefined, z.ZodType>;
  handler: AnyHandler;
}

/** One method and path, with its admin and/or user side, or its dashboard side. */
export interface Route {
  method: HttpMethod;
  /** `"METHOD /path"`, e.g. `"GET /v1/users/:id"`. */
  key: string;
  kind: RouteKind;
  segments: string[];
  admin?: RouteSide;
  user?: RouteSide;
  dashboard?: RouteSide;
}

function buildRoutes(): Route[] {
  const routes = new Map<string, Route>();
  const add = (kind: RouteKind, table: Record<string, Endpoint>, handlers: Record<string, unknown>): void => {
    for (const [name, endpoint] of Object.entries(table)) {
      const key = `${endpoint.method} ${endpoint.path}`;
      let route = routes.get(key);
      if (!route) routes.set(key, (route = { method: endpoint.method, key, kind, segments: endpoint.path.split('/').slice(1) }));
      if (route.kind !== kind) throw new Error(`route ${key} is both ${route.kind} and ${kind}`);
      if (route[endpoint.auth]) throw new Error(`route ${key} has two ${endpoint.auth} endpoints`);
      route[endpoint.auth] = { name, endpoint, handler: handlers[name] as AnyHandler };
    }
  };
  add('contract', adminEndpoints, adminHandlers);
  add('contract', clientEndpoints, clientHandlers);
  add('control', controlEndpoints, controlHandlers);
  add('dashboard', dashboardEndpoints, dashboardHandlers);
  return [...routes.values()];
}

/** Every route the emulator serves, built from the route tables: the contract's, its own controls, the dashboard's API. */
export const ROUTES: readonly Route[] = buildRoutes();

/** The routes by how they are answered: a request is matched among those of its part of the address only. */
const ROUTES_BY_ANSWERS: Record<Answers, readonly Route[]> = {
  platform: ROUTES.filter((r) => ROUTE_KINDS[r.kind].answers === 'platform'),
  dashboard: ROUTES.filter((r) => ROUTE_KINDS[r.kind].answers === 'dashboard'),
};

/** A route matched to a request, with the raw (still encoded) `:id`. */
export interface Match {
  route: Route;
  rawId: string | undefined;
}

function matchPath(segments: readonly string[], parts: readonly string[]): { ok: boolean; rawId?: string } {
  if (segments.length !== parts.length) return { ok: false };
  let rawId: string | undefined;
  for (let i = 0; i < segments.length; i++) {
    const want = segments[i]!;
    const got = parts[i]!;
    if (want === ':id') {
      if (got === '') return { ok: false };
      rawId = got;
    } else if (want !== got) return { ok: false };
  }
  return rawId === undefined ? { ok: true } : { ok: true, rawId };
}

/**
 * Finds the route of a request among the routes answered as `answers` (the platform's unless
 * told): 404 (code 16) for an unknown path, 405 (code 4, with `Allow`) for another method; for the
 * dashboard's, the same statuses as a {@link DashboardRefusal}.
 */
export function matchRoute(method: string, pathname: string, answers: Answers = 'platform'): Match {
  const parts = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of ROUTES_BY_ANSWERS[answers]) {
    const m = matchPath(route.segments, parts);
    if (!m.ok) continue;
    if (route.method === method) return { route, rawId: m.rawId };
    allowed.push(route.method);
  }
  if (answers === 'dashboard') {
    if (allowed.length === 0) throw new DashboardRefusal(404, `no dashboard route ${pathname}`);
    throw new DashboardRefusal(405, `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})`);
  }
  if (allowed.length === 0) throw platformError('notFound', `no route ${pathname}`);
  throw platformError('input', `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})`, { Allow: allowed.join(', ') }, 405);
}
