import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** A refusal of the dashboard: status and a message saying what was wrong. */
export class DashboardRefusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'DashboardRefusal';
    this.status = status;
  }
}

/** The header that carries the dashboard token (made at each start; never the API secret). */
export const DASHBOARD_TOKEN_HEADER = 'x-dashboard-token';

/** Whether an address (as `server.listen` takes it, or a socket's remote address) is loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  if (a.startsWith('::ffff:')) return isIP(a.slice(7)) === 4 && a.slice(7).startsWith('127.');
  return a === '::1';
}

function single(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The checks every dashboard request passes: it comes from loopback, and its `Host` is a
 * loopback name with the emulator's port (a DNS-rebinding page names its own host). Returns
 * the origin the page is served from (`http://<Host>`).
 */
export function checkLoopback(req: IncomingMessage, port: number): string {
  if (!isLoopbackAddress(req.socket.remoteAddress)) throw new DashboardRefusal(403, 'the dashboard answers loopback clients only');
  const host = single(req, 'host') ?? '';
  const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):(\d+)$/i.exec(host);
  if (!m || Number(m[2]) !== port) {
    throw new DashboardRefusal(403, `Host header "${host.slice(0, 100)}" refused: the dashboard is reached as http://127.0.0.1:${port}, localhost or [::1]`);
  }
  return `http://${host.toLowerCase()}`;
}

/** The dashboard token must be sent in `X-Dashboard-Token` (401 without, 403 for another one). */
export function checkDashboardToken(req: IncomingMessage, token: string): void {
  const given = single(req, DASHBOARD_TOKEN_HEADER);
  if (given === undefined || given === '') throw new DashboardRefusal(401, 'X-Dashboard-Token header is missing: reload the dashboard page');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new DashboardRefusal(403, 'X-Dashboard-Token is not this emulator\'s: the emulator was restarted, reload the dashboard page');
  }
}

/**
 * A state-changing request must come from the dashboard's own origin: `Origin` present and the
 * page's origin, and `Sec-Fetch-Site` (where the browser sends it) `same-origin`.
 */
export function checkSameOrigin(req: IncomingMessage, origin: string): void {
  const given = single(req, 'origin');
  if (given === undefined) throw new DashboardRefusal(403, 'Origin header is missing: state-changing dashboard requests must come from the dashboard page');
  if (given.toLowerCase() !== origin) throw new DashboardRefusal(403, `Origin "${given.slice(0, 200)}" refused: only ${origin} may change the emulator`);
  const site = single(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') throw new DashboardRefusal(403, `Sec-Fetch-Site "${site.slice(0, 50)}" refused: expected same-origin`);
}
