// What the platform's token codes mean for a client app, and the token's `exp` (read without
// checking the signature: only the platform can check it, and a client never holds the secret).

/** The codes a token provider can fix by giving a fresh token: expired (40) and revoked (44). */
export const REFRESHABLE_CODES: ReadonlySet<number> = new Set([40, 44]);

/**
 * Codes a fresh token would not fix: they mean a fault in the backend that mints the tokens,
 * reported with what to check (issue 5: "reported as clock or signing faults").
 */
export const FAULT_HINTS: Readonly<Record<number, string>> = {
  41: "a clock fault: the token is not valid yet (nbf ahead of the platform's clock beyond the tolerance); the clock of the backend that mints tokens runs fast: check its time sync (NTP)",
  42: "a clock fault: the token was issued in the future (iat ahead of the platform's clock beyond the tolerance); the clock of the backend that mints tokens runs fast: check its time sync (NTP)",
  43: "a signing fault: the token is malformed or its signature does not verify; the backend must mint HS256 tokens with the secret of the app this API key belongs to",
  45: 'a token is required here (deny_login mode, or a user that must always use a token): connect with a token or a token provider',
  46: 'the token belongs to another user than the one connected: the token provider must return a token for this user only',
};

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
  return FAULT_HINTS[46] ?? '';
}
