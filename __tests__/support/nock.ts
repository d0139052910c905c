import nock from 'nock';
import { ServerClient, type ServerClientOptions } from 'tokenkit';

/** A base URL nock answers for; nothing ever leaves the process (nock.disableNetConnect). */
export const BASE = 'https://platform.test';
export const API_KEY = 'key-123';
export const SECRET = 'wire-test-secret-that-must-never-leak';

/** One request as nock saw it. */
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw body text, or undefined. */
  body: string | undefined;
}

/** A client against {@link BASE}, with retries waiting no time by default (random: 0 is not injectable here, so use fake timers). */
export function wireClient(options: ServerClientOptions = {}): ServerClient {
  return new ServerClient({ apiKey: API_KEY, apiSecret: SECRET, baseUrl: BASE, ...options });
}

/**
 * Intercepts one request and records it. `reply` is the status and JSON body to answer, with
 * optional headers. The request's headers come lower-cased, values joined.
 */
export function intercept(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  reply: { status: number; body: unknown; headers?: Record<string, string> },
  seen: Seen[],
): nock.Scope {
  const scope = nock(BASE);
  const interceptor = scope.intercept(path, method, (body) => {
    void body;
    return true;
  });
  return interceptor.reply(function (uri, body) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    seen.push({ method, path: uri, headers, body: body === '' || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return [reply.status, JSON.stringify(reply.body), { 'Content-Type': 'application/json', 'X-Request-Id': `req-${seen.length}`, ...reply.headers }];
  });
}

/** A user as the platform answers it. */
export function wireUser(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    role: 'user',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    revoke_tokens_issued_before: null,
    requires_token: false,
    ...extra,
  };
}

/** The app settings as the platform answers them. */
export function wireApp(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    revoke_tokens_issued_before: null,
    disable_auth_checks: false,
    access_token_permission: 'read_write',
    jwt_enabled: true,
    jwt_compatibility_mode: false,
    ...extra,
  };
}

/** The platform's error body. */
export function wireError(code: number, status: number, message: string): Record<string, unknown> {
  return { code, message, status_code: status };
}

// For tests under jest's fake timers. nock answers through real I/O (setImmediate) and zero-delay
// timers, so the tests wait for events (a log record, a request seen) while running zero-delay
// timers, and move the fake clock only on purpose.

/** Lets pending I/O, promise callbacks and zero-delay timers run, without moving the fake clock. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await jest.advanceTimersByTimeAsync(0);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/**
 * Flushes until `cond` holds (bounded), or fails naming `what`. A reply also takes some real time
 * (a round is ~10 µs when idle, so 500 rounds ran out on a loaded machine); 10,000 rounds give it
 * at least a tenth of a second.
 */
export async function flushUntil(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await flush(1);
  if (!cond()) throw new Error(`never happened: ${what}`);
}

/** Moves the fake clock in steps until `promise` settles (bounded); resolves to its outcome. */
export async function settle<T>(promise: Promise<T>, stepMs = 100, maxSteps = 1000): Promise<T | unknown> {
  let state: { done: boolean; value?: unknown } = { done: false };
  const watched = promise.then(
    (value) => (state = { done: true, value }),
    (error: unknown) => (state = { done: true, value: error }),
  );
  for (let i = 0; i < maxSteps && !state.done; i++) {
    await flush(2);
    if (!state.done) await jest.advanceTimersByTimeAsync(stepMs);
  }
  await watched;
  return state.value;
}
