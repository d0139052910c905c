import type { z } from 'zod';
import { type Endpoint, type HttpMethod, adminEndpoints, clientEndpoints } from '../schemas/endpoints';
import { platformError } from './errors';
import { adminHandlers } from './routes/admin';
import { clientHandlers } from './routes/client';
import type { RouteContext } from './routes/context';
import { controlEndpoints, controlHandlers } from './routes/test-routes';

/** A handler as the server calls it: decoded input in, response value out. */
export type AnyHandler = (ctx: RouteContext, input: unknown) => unknown;

/**
 * What a kind of route goes through besides routing, authentication (by the endpoint's `auth`)
 * and validation. `contract`: the platform's routes, which faults, the rate limit and
 * `Idempotency-Key` replays apply to. `control`: the emulator's own `/_emulator/...` routes, which
 * none of them touch. Another kind (a dashboard's pages, say) is one more entry here and one more
 * table in {@link ROUTES}.
 */
export const ROUTE_KINDS = {
  contract: { faults: true, rateLimit: true, idempotency: true },
  control: { faults: false, rateLimit: false, idempotency: false },
} as const satisfies Record<string, { faults: boolean; rateLimit: boolean; idempotency: boolean }>;

/** The kind of a route, e.g. `control`. */
export type RouteKind = keyof typeof ROUTE_KINDS;

/** One side of a route: the endpoint for one `auth` (admin or user), with its handler. */
export interface RouteSide {
  name: string;
  endpoint: Endpoint<z.ZodType | undefined, z.ZodType>;
  handler: AnyHandler;
}

/** One method and path, with its admin and/or user side. */
export interface Route {
  method: HttpMethod;
  /** `"METHOD /path"`, e.g. `"GET /v1/users/:id"`. */
  key: string;
  kind: RouteKind;
  segments: string[];
  admin?: RouteSide;
  user?: RouteSide;
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
  return [...routes.values()];
}

/** Every route the emulator serves, built from the route tables: the contract's, then its own controls. */
export const ROUTES: readonly Route[] = buildRoutes();

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

/** Finds the route of a request: 404 (code 16) for an unknown path, 405 (code 4, with `Allow`) for another method. */
export function matchRoute(method: string, pathname: string): Match {
  const parts = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const m = matchPath(route.segments, parts);
    if (!m.ok) continue;
    if (route.method === method) return { route, rawId: m.rawId };
    allowed.push(route.method);
  }
  if (allowed.length === 0) throw platformError('notFound', `no route ${pathname}`);
  throw platformError('input', `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})`, { Allow: allowed.join(', ') }, 405);
}
