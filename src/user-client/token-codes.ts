// What the platform's token codes mean for a client app, and the token's `exp` (read without
// checking the signature: only the platform can check it, and a client never holds the secret).
import { REFRESH_CODES, platformCode } from '../schemas/codes';

/** The codes a token provider can fix by giving a fresh token: expired (40) and revoked (44). */
export function isRefreshCode(code: unknown): boolean {
  return typeof code === 'number' && REFRESH_CODES.has(code);
}

/**
 * What to check for a token code a fresh token would not fix (41, 42, 43, 45, 46): a fault in the
 * backend that mints the tokens (a clock or signing fault), from the code table's hint.
 */
export function faultHint(code: unknown): string | undefined {
  const entry = platformCode(code);
  return entry?.token && !entry.refresh ? entry.hint : undefined;
}

function base64UrlToText(segment: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (segment.length % 4)) % 4);
  try {
    // atob is in every browser and in Node 16+: no node:buffer import, so this runs anywhere.
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}

/** The payload of a JWT or dev token, read without any check, or undefined (not one). */
function readPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const text = base64UrlToText(parts[1] ?? '');
  if (text === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(text);
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` of a JWT in milliseconds, or undefined (not a JWT, no `exp`). Not a check of any kind. */
export function tokenExpiryMs(token: string): number | undefined {
  const exp = readPayload(token)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** What a 46 means for this token: it names no user at all, or another user. */
export function wrongUserHint(token: string | undefined): string {
  const payload = token === undefined ? undefined : readPayload(token);
  if (payload !== undefined && payload['user_id'] === undefined) {
    return 'a token without a user_id claim: it names no user. The token provider (or the backend that mints tokens) must put the user\'s id in user_id';
  }
  return faultHint(46) ?? '';
}
