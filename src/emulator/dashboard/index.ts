import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError } from '../errors';
import { parseJsonBody, pathId, readBody } from '../http-io';
import { type DashboardDeps, DASHBOARD_ROUTES, type DashboardRoute } from './api';
import { DASHBOARD_CSS, DASHBOARD_JS } from './bundle.generated';
import { RequestLog, type RequestTrace } from './request-log';
import { DashboardRefusal, checkDashboardToken, checkLoopback, checkSameOrigin } from './security';

export type { DashboardDeps } from './api';
export type { RequestTrace } from './request-log';

/** Where the dashboard is served, under the emulator's own address. */
export const DASHBOARD_PATH = '/_dashboard/';

const API_PREFIX = '/_dashboard/api';

/** Sent with every dashboard answer: nothing is cached, framed, sniffed or sent as a referrer. */
const COMMON_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The page runs only its own bundle: no inline script, nothing from elsewhere. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function page(token: string): string {
  // The token is base64url: nothing to escape. The page learns it here and sends it back in a header.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tokenkit-dashboard-token" content="${token}">
<title>tokenkit emulator dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DASHBOARD_PATH}app.css">
<script src="${DASHBOARD_PATH}app.js" defer></script>
</head>
<body>
<div id="app"><noscript>The dashboard needs JavaScript.</noscript></div>
</body>
</html>
`;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string, code?: number): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(code === undefined ? { error: message } : { error: message, code }));
}

function matchPath(route: DashboardRoute, parts: readonly string[]): { ok: boolean; rawId?: string } {
  const want = route.path.split('/').slice(1);
  if (want.length !== parts.length) return { ok: false };
  let rawId: string | undefined;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ':id') rawId = parts[i];
    else if (want[i] !== parts[i]) return { ok: false };
  }
  return rawId === undefined ? { ok: true } : { ok: true, rawId };
}

/**
 * The emulator's dashboard: a page, its bundle, and a JSON API under `/_dashboard/api`, served
 * by the emulator's own server. The dashboard token is made here, at each start.
 */
export class Dashboard {
  readonly log: RequestLog;
  readonly #deps: DashboardDeps;
  readonly #token = randomBytes(32).toString('base64url');

  constructor(deps: DashboardDeps) {
    this.#deps = deps;
    this.log = new RequestLog(deps.state);
  }

  /** Whether a path is the dashboard's. */
  owns(pathname: string): boolean {
    return pathname === '/_dashboard' || pathname.startsWith(DASHBOARD_PATH);
  }

  /** Records an answered platform request for the Requests page. */
  record(trace: RequestTrace): void {
    this.log.add(trace);
  }

  /** Answers a dashboard request (the page, its assets, the API). */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    this.#serve(req, res, pathname).catch((err: unknown) => {
      if (err instanceof DashboardRefusal) sendError(res, err.status, err.message);
      else if (err instanceof PlatformError) sendError(res, err.status, err.message, err.code);
      else sendError(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  async #serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const method = req.method ?? 'GET';
    const origin = checkLoopback(req, req.socket.localPort ?? -1);
    if (!pathname.startsWith(`${API_PREFIX}/`)) {
      if (method !== 'GET' && method !== 'HEAD') throw new DashboardRefusal(405, `${method} is not allowed on ${pathname}`);
      if (pathname === '/_dashboard') return send(res, 308, 'text/plain; charset=utf-8', '', { Location: DASHBOARD_PATH });
      if (pathname === DASHBOARD_PATH) return send(res, 200, 'text/html; charset=utf-8', page(this.#token), { 'Content-Security-Policy': CSP });
      if (pathname === `${DASHBOARD_PATH}app.js`) return send(res, 200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
      if (pathname === `${DASHBOARD_PATH}app.css`) return send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      throw new DashboardRefusal(404, `no dashboard page ${pathname}`);
    }
    checkDashboardToken(req, this.#token);
    if (method !== 'GET') checkSameOrigin(req, origin);
    const sub = pathname.slice(API_PREFIX.length);
    if (sub === '/requests/stream' && method === 'GET') return this.#stream(req, res);
    const parts = sub.split('/').slice(1);
    const allowed: string[] = [];
    for (const route of DASHBOARD_ROUTES) {
      const m = matchPath(route, parts);
      if (!m.ok) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const raw = await readBody(req);
      const body = parseJsonBody(method, raw, req.headers['content-type']);
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const result = route.handler({ deps: this.#deps, log: this.log, route: `${method} ${API_PREFIX}${route.path}`, id: pathId(m.rawId), body, query, headers: req.headers });
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(result));
    }
    if (allowed.length > 0) throw new DashboardRefusal(405, `${method} is not allowed on ${pathname} (allowed: ${allowed.join(', ')})`);
    throw new DashboardRefusal(404, `no dashboard route ${pathname}`);
  }

  /** The Requests page's live log: Server-Sent Events, first a snapshot of the buffer, then each request. */
  #stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(`event: snapshot\ndata: ${JSON.stringify({ requests: this.log.list(), total: this.log.total, max: this.log.max })}\n\n`);
    const unsubscribe = this.log.subscribe((entry) => res.write(`data: ${JSON.stringify(entry)}\n\n`));
    req.socket.setTimeout(0);
    res.on('close', unsubscribe);
  }
}
