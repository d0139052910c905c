import type { z } from 'zod';
import { type Endpoint, type HttpMethod, adminEndpoints, clientEndpoints } from '../schemas/endpoints';
import { PlatformError, platformError } from './errors';
import { adminHandlers } from './routes/admin';
import { clientHandlers } from './routes/client';
import type { RouteContext } from './routes/context';

/** A handler as the server calls it: decoded input in, response value out. */
export type AnyHandler = (ctx: RouteContext, input: unknown) => unknown;

/** One side (admin or client) of a route. */
export interface RouteSide {
  name: string;
  endpoint: Endpoint<z.ZodType | undefined, z.ZodType>;
  handler: AnyHandler;
}

/** One method and path of the contract, with its admin and/or client handler. */
export interface Route {
  method: HttpMethod;
  /** `"METHOD /path"`, e.g. `"GET /v1/users/:id"`. */
  key: string;
  segments: string[];
  admin?: RouteSide;
  client?: RouteSide;
}

function buildRoutes(): Route[] {
  const routes = new Map<string, Route>();
  const add = (side: 'admin' | 'client', table: Record<string, Endpoint>, handlers: Record<string, unknown>): void => {
    for (const [name, endpoint] of Object.entries(table)) {
      const key = `${endpoint.method} ${endpoint.path}`;
      let route = routes.get(key);
      if (!route) routes.set(key, (route = { method: endpoint.method, key, segments: endpoint.path.split('/').slice(1) }));
      route[side] = { name, endpoint, handler: handlers[name] as AnyHandler };
    }
  };
  add('admin', adminEndpoints, adminHandlers);
  add('client', clientEndpoints, clientHandlers);
  return [...routes.values()];
}

/** Every route of the contract, built from the shared route table. */
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
