import type { IncomingHttpHeaders } from 'node:http';
import { decodeJsonSegment } from '../../tokens/jws';
import type { EmulatorState } from '../state';
import { hashSessionToken } from '../state';
import { EventStream } from '../http-io';
import { matchRoute } from '../router';
import type { RequestAuthKind, RequestEntry } from './wire';

export type { RequestAuthKind, RequestEntry } from './wire';

/**
 * The most requests the dashboard keeps (the oldest go first), and the most the page holds.
 *
 * @example
 * ```ts
 * import { DASHBOARD_MAX_REQUESTS } from 'tokenkit/emulator';
 * console.log(DASHBOARD_MAX_REQUESTS); // 1000
 * ```
 */
export const DASHBOARD_MAX_REQUESTS = 1000;

/** What the server hands over for each answered request. */
export interface RequestTrace {
  method: string;
  path: string;
  status: number | 'dropped';
  code: number | undefined;
  message: string | undefined;
  ms: number;
  requestId: string;
  fault: string | undefined;
  headers: IncomingHttpHeaders;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function pathUser(path: string): string | null {
  const m = /^\/v1\/users\/([^/]+)/.exec(path);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** Who a request says it is, read from its headers without checking anything; the token is never kept. */
function caller(headers: IncomingHttpHeaders, path: string, state: EmulatorState): { user: string | null; auth: RequestAuthKind } {
  const m = /^Bearer +(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
  const token = m?.[1];
  if (token !== undefined && token.length <= 8192) {
    if (!token.includes('.')) {
      return { user: state.sessions.get(hashSessionToken(token))?.userId ?? null, auth: 'session' };
    }
    const [, payload = '', signature] = token.split('.');
    const claims = decodeJsonSegment(payload);
    if (claims?.['server'] === true) return { user: pathUser(path), auth: 'server' };
    const user = typeof claims?.['user_id'] === 'string' ? claims['user_id'] : null;
    return { user, auth: signature === 'devtoken' ? 'dev' : 'jwt' };
  }
  const connectionId = header(headers, 'x-connection-id');
  if (connectionId !== undefined) {
    const connection = state.connections.get(connectionId);
    return { user: connection?.userId ?? null, auth: 'connection' };
  }
  return { user: null, auth: 'none' };
}

function routeKey(method: string, path: string): string | null {
  try {
    return matchRoute(method, path).route.key;
  } catch {
    return null;
  }
}

/**
 * The dashboard's request buffer: the last `max` requests, and listeners for new ones (the
 * Requests page's stream). `total` counts every request seen.
 */
export class RequestLog {
  readonly max: number;
  readonly #entries: RequestEntry[] = [];
  readonly #listeners = new Set<(entry: RequestEntry) => void>();
  readonly #state: EmulatorState;
  #seq = 0;

  constructor(state: EmulatorState, max = DASHBOARD_MAX_REQUESTS) {
    this.#state = state;
    this.max = max;
  }

  /** Requests seen since the start. */
  get total(): number {
    return this.#seq;
  }

  add(trace: RequestTrace): RequestEntry {
    const entry: RequestEntry = {
      seq: ++this.#seq,
      at: Date.now(),
      method: trace.method,
      path: trace.path,
      route: routeKey(trace.method, trace.path),
      status: trace.status,
      code: trace.code ?? null,
      message: trace.message ?? null,
      ...caller(trace.headers, trace.path, this.#state),
      ms: Math.round(trace.ms * 10) / 10,
      requestId: trace.requestId,
      fault: trace.fault ?? null,
    };
    this.#entries.push(entry);
    // Trimmed in batches, so that a full buffer costs no shift per request.
    if (this.#entries.length > this.max * 1.25) this.#entries.splice(0, this.#entries.length - this.max);
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  /** The kept requests, oldest first (at most `max`). */
  list(): RequestEntry[] {
    return this.#entries.slice(-this.max);
  }

  /** The Requests page's live log: a snapshot of the buffer, then each request. */
  stream(): EventStream {
    return new EventStream({ requests: this.list(), total: this.total, max: this.max }, (push) => this.subscribe(push));
  }

  /** Calls `listener` for each new request until the returned function is called. */
  subscribe(listener: (entry: RequestEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
