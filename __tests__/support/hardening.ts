// Shared pieces of the hardening suite: hand-made tokens (raw JSON text, so a key can be
// given twice), the platform's answer to a token over real HTTP, and a fetch that records calls.
import { createHmac } from 'node:crypto';
import { TokenError, type FetchLike } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { mulberry32 } from '../../src/emulator/faults';

/** base64url of a string (taken as JSON text as it is) or of a value's JSON. */
export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** The HS256 signature of `header.payload` (already base64url) with `key` (any string or bytes). */
export function hmac(key: string | Buffer, signingInput: string): string {
  return createHmac('sha256', key).update(signingInput).digest('base64url');
}

/** A JWS with the header and payload given as raw JSON text (so duplicate keys survive), HMAC-signed with `key`. */
export function signText(key: string | Buffer, headerText: string, payloadText: string): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  return `${input}.${hmac(key, input)}`;
}

/** A JWS of any header and payload values, HMAC-signed with `key`. */
export function signValues(key: string | Buffer, header: unknown, payload: unknown): string {
  return signText(key, JSON.stringify(header), JSON.stringify(payload));
}

/** tokenkit's own header. */
export const HS = { alg: 'HS256', typ: 'JWT' } as const;

/** What a check ended in: `'ok'`, a token code, or the name of any other error (a bug). */
export type Outcome = 'ok' | number | string;

/** Runs a verification and reduces it to its outcome: a TokenError's code, or anything else by name. */
export async function outcomeOf(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    if (err instanceof TokenError) return err.code;
    return err instanceof Error ? `${err.name}: ${err.message}` : `thrown ${typeof err}`;
  }
}

/** The emulator's answer to a request: status, code (for errors) and the message. */
export interface Answer {
  status: number;
  code: number | undefined;
  message: string;
  body: Record<string, unknown>;
}

/** A request to the emulator with the given headers (Api-Key added unless `apiKey: false`). */
export async function send(
  emulator: Emulator,
  method: string,
  path: string,
  options: { token?: string; headers?: Record<string, string>; body?: unknown; apiKey?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== false) headers['Api-Key'] = emulator.apiKey;
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(emulator.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return {
    status: res.status,
    code: typeof parsed['code'] === 'number' ? parsed['code'] : undefined,
    message: typeof parsed['message'] === 'string' ? parsed['message'] : '',
    body: parsed,
  };
}

/** The platform's answer to `POST /v1/connect { user_id }` with `token`: 'ok' or the error code. */
export async function connectOutcome(emulator: Emulator, token: string, userId = 'alice'): Promise<Outcome> {
  const a = await send(emulator, 'POST', '/v1/connect', { token, body: { user_id: userId } });
  if (a.status === 200) return 'ok';
  if (a.status !== 401 || a.code === undefined) return `HTTP ${a.status} code ${String(a.code)}: ${a.message}`;
  return a.code;
}

/** A `fetch` that records every call and never sends anything: for "no network call" checks. */
export function recordingFetch(): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  const fetchFn: FetchLike = async (input) => {
    calls.push(String(input));
    return new Response('{"code":-1,"message":"recording fetch: nothing is sent","status_code":500}', {
      status: 500,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  return { fetch: fetchFn, calls };
}

/** mulberry32 (the emulator's own): a small seeded PRNG, so every soak run makes the same choices. */
export const seeded = mulberry32;

/** Every form in which a secret could leak: as is, base64, base64url and hex. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')].filter((f, i, all) => all.indexOf(f) === i);
}

/** The leaks found in `text`: which of `needles` it holds (named, never quoted whole). */
export function leaksIn(text: string, needles: Array<{ name: string; value: string }>): string[] {
  return needles.filter((n) => n.value.length > 0 && text.includes(n.value)).map((n) => n.name);
}
