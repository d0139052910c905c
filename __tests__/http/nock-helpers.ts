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
