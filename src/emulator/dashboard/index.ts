import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError } from '../errors';
import { EventStream, sendEventStream } from '../http-io';
import { DASHBOARD_API_PATH } from '../routes/dashboard';
import type { EmulatorState } from '../state';
import { DASHBOARD_CSS, DASHBOARD_JS } from './bundle.generated';
import { RequestLog, type RequestTrace } from './request-log';
import { DashboardRefusal, checkDashboardToken, checkLoopback, checkSameOrigin } from './security';

export type { RequestTrace } from './request-log';

/** Where the dashboard is served, under the emulator's own address. */
export const DASHBOARD_PATH = '/_dashboard/';

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

/**
 * The emulator's dashboard: a page and its bundle, served here, and a JSON API under
 * `/_dashboard/api/`, whose routes are entries of the emulator's route table (the `dashboard`
 * kind of `ROUTE_KINDS`, handlers in `routes/dashboard.ts`), run by the server's one pipeline.
 * This class holds what that kind needs from the dashboard: its token (made here, at each start)
 * and the check of the `dashboard` auth, the dashboard's way of answering, and the request buffer.
 */
export class Dashboard {
  readonly log: RequestLog;
  readonly #token = randomBytes(32).toString('base64url');

  constructor(state: EmulatorState) {
    this.log = new RequestLog(state);
  }

  /** Whether a path is the dashboard's. */
  owns(pathname: string): boolean {
    return pathname === '/_dashboard' || pathname.startsWith(DASHBOARD_PATH);
  }

  /** Whether a path of the dashboard is one of its API's (a route of the `dashboard` kind), not the page. */
  isApi(pathname: string): boolean {
    return pathname.startsWith(DASHBOARD_API_PATH);
  }

  /** Records an answered platform request for the Requests page. */
  record(trace: RequestTrace): void {
    this.log.add(trace);
  }

  /**
   * The `dashboard` auth of the route table: a loopback client naming a loopback `Host` with the
   * emulator's port, the dashboard token, and for anything but a `GET` the dashboard's own origin.
   * The server checks it for every path under `/_dashboard/api/` before matching a route, so that
   * without the token nothing tells which routes exist. Throws a {@link DashboardRefusal}.
   */
  authorize(req: IncomingMessage, method: string): void {
    const origin = checkLoopback(req, req.socket.localPort ?? -1);
    checkDashboardToken(req, this.#token);
    if (method !== 'GET') checkSameOrigin(req, origin);
  }

  /** Answers a dashboard route's result: JSON, or the live request log's event stream. */
  answer(req: IncomingMessage, res: ServerResponse, result: { status: number; body: string } | EventStream): void {
    if (result instanceof EventStream) return sendEventStream(req, res, result, COMMON_HEADERS);
    send(res, result.status, 'application/json; charset=utf-8', result.body);
  }

  /** Answers a refusal in the dashboard's shape: `{ error }`, with the platform `code` where there is one. */
  refuse(res: ServerResponse, err: unknown): void {
    if (err instanceof DashboardRefusal) sendError(res, err.status, err.message);
    else if (err instanceof PlatformError) sendError(res, err.status, err.message, err.code);
    else sendError(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  }

  /**
   * Serves the page and its bundle (the loopback check first). They stay outside the route table:
   * they are files (HTML under a CSP, JavaScript, CSS), answer `HEAD` and a redirect, and need no
   * dashboard token (the page is what hands it out), none of which a JSON route expresses.
   */
  servePage(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    try {
      checkLoopback(req, req.socket.localPort ?? -1);
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') throw new DashboardRefusal(405, `${method} is not allowed on ${pathname}`);
      if (pathname === '/_dashboard') return send(res, 308, 'text/plain; charset=utf-8', '', { Location: DASHBOARD_PATH });
      if (pathname === DASHBOARD_PATH) return send(res, 200, 'text/html; charset=utf-8', page(this.#token), { 'Content-Security-Policy': CSP });
      if (pathname === `${DASHBOARD_PATH}app.js`) return send(res, 200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
      if (pathname === `${DASHBOARD_PATH}app.css`) return send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      throw new DashboardRefusal(404, `no dashboard page ${pathname}`);
    } catch (err) {
      this.refuse(res, err);
    }
  }
}
