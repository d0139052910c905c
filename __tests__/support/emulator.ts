// Helpers for the emulator's end-to-end tests: plain `fetch` over 127.0.0.1, no SDK client.
import { type Emulator, type ManualClock, createManualClock, startEmulator } from 'tokenkit/emulator';
import { request } from 'node:http';
import { signHS256 } from '../../src/tokens/jws';
import { SigningKey } from '../../src/tokens/key';

/** An answer: status, parsed JSON body (or the raw text) and headers. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** Request options: body (JSON-encoded unless `raw`), headers, and auth shortcuts. */
export interface Call {
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** `admin` (default): Api-Key + server token; `none`: no auth headers; a string: `Bearer <token>` with the Api-Key. */
  as?: 'admin' | 'none' | 'key' | { token?: string; connection?: string };
}

export function keyOf(emu: Emulator): SigningKey {
  return SigningKey.from(emu.apiSecret);
}

/** Signs any payload with the emulator's secret (for hand-made tokens). */
export function sign(emu: Emulator, payload: Record<string, unknown>): string {
  return signHS256(keyOf(emu), payload);
}

export async function call(emu: Emulator, method: string, path: string, c: Call = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const as = c.as ?? 'admin';
  if (as !== 'none') headers['Api-Key'] = emu.apiKey;
  if (as === 'admin') headers['Authorization'] = `Bearer ${emu.serverToken()}`;
  if (typeof as === 'object') {
    if (as.token !== undefined) headers['Authorization'] = `Bearer ${as.token}`;
    if (as.connection !== undefined) headers['X-Connection-Id'] = as.connection;
  }
  let body: string | Buffer | undefined;
  if (c.raw !== undefined) body = c.raw;
  else if (c.body !== undefined) {
    body = JSON.stringify(c.body);
    headers['Content-Type'] = 'application/json';
  }
  Object.assign(headers, c.headers);
  const res = await fetch(emu.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Asserts an error answer: status, code, the contract's error body and an X-Request-Id. */
export function expectError(a: Answer, status: number, code: number, message?: RegExp): void {
  expect({ status: a.status, code: a.body['code'], status_code: a.body['status_code'] }).toEqual({ status, code, status_code: status });
  expect(typeof a.body['message']).toBe('string');
  if (message) expect(a.body['message']).toMatch(message);
  expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
}

/** Connects a user (a client request) and returns the answer. */
export function connect(emu: Emulator, body: Record<string, unknown>, token?: string): Promise<Answer> {
  return call(emu, 'POST', '/v1/connect', { body, as: token === undefined ? 'key' : { token } });
}

/** Sets app settings through PATCH /v1/app. */
export async function setApp(emu: Emulator, patch: Record<string, unknown>): Promise<void> {
  const a = await call(emu, 'PATCH', '/v1/app', { body: patch });
  expect(a.status).toBe(200);
}

/** Creates users through POST /v1/users. */
export async function createUsers(emu: Emulator, ...users: Array<Record<string, unknown>>): Promise<void> {
  const a = await call(emu, 'POST', '/v1/users', { body: { users } });
  expect(a.status).toBe(200);
}

/** A request through node:http, for what fetch refuses to send (a GET with a body). */
export function rawRequest(emu: Emulator, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(`${emu.url}${path}`, { method, headers: sized }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One emulator for a test file, on a manual clock: started before the file's tests, closed after
 * them, and before each test the clock is set back to `t0` and the state reset. `onStart` receives
 * the emulator (assign it to the file's `emu`). Returns the clock, for tests that move time.
 */
export function useEmulator(t0: number, onStart: (emu: Emulator) => void): ManualClock {
  const clock = createManualClock(t0);
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator({ clock });
    onStart(emu);
  });
  afterAll(() => emu?.close());
  beforeEach(async () => {
    clock.set(t0);
    await emu?.reset();
  });
  return clock;
}
