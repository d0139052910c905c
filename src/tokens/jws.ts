import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

// HS256 compact JWS by hand, for speed: the header is fixed, so it is encoded once, and a mint is
// one JSON.stringify, one base64url and one HMAC. jsonwebtoken does the same work with option
// parsing around it and reaches about half the raw HMAC rate (bench/mint.ts); tokenkit's own
// tokens take this path, and verify.ts hands every other header to jsonwebtoken.

/** The header tokenkit writes on every token it mints. */
export const HS256_HEADER = { alg: 'HS256', typ: 'JWT' } as const;
/** `base64url(JSON.stringify(HS256_HEADER))`. */
export const HS256_HEADER_B64 = Buffer.from(JSON.stringify(HS256_HEADER)).toString('base64url');

/** The HMAC-SHA256 of `signingInput`, base64url without padding. */
export function hs256Signature(key: KeyObject, signingInput: string): string {
  return createHmac('sha256', key).update(signingInput).digest('base64url');
}

/** Signs `payload` as a compact HS256 JWS with {@link HS256_HEADER}. */
export function signHS256(key: KeyObject, payload: Record<string, unknown>): string {
  const input = HS256_HEADER_B64 + '.' + Buffer.from(JSON.stringify(payload)).toString('base64url');
  return input + '.' + hs256Signature(key, input);
}

/**
 * Whether `signature` is the HS256 signature of `signingInput`, compared in constant time.
 * The comparison is of base64url text, so a signature with other padding bits or extra
 * characters (which a lenient base64 decoder would accept) is refused.
 */
export function hs256Verify(key: KeyObject, signingInput: string, signature: string): boolean {
  const expected = Buffer.from(hs256Signature(key, signingInput));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes a base64url segment holding a JSON object; `undefined` where it is anything else. */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  if (!B64URL.test(segment)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
