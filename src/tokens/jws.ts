import { runtime } from '../runtime';
import { type SigningKey, hmacBase64url } from './key';

// HS256 compact JWS by hand, for speed: the header is fixed, so it is encoded once, and a mint is
// one JSON.stringify, one base64url and one HMAC. jsonwebtoken does the same work with option
// parsing around it and reaches about half the raw HMAC rate (bench/mint.ts); tokenkit's own
// tokens take this path; verify.ts reads any other header itself and accepts only HS256.

/** The header tokenkit writes on every token it mints. */
export const HS256_HEADER = { alg: 'HS256', typ: 'JWT' } as const;
/** `base64url(JSON.stringify(HS256_HEADER))`. */
export const HS256_HEADER_B64 = runtime.base64urlEncodeText(JSON.stringify(HS256_HEADER));

/** The HMAC-SHA256 of `signingInput`, base64url without padding. */
export function hs256Signature(key: SigningKey, signingInput: string): string {
  return hmacBase64url(key, signingInput);
}

/** Signs `payload` as a compact HS256 JWS with {@link HS256_HEADER}. */
export function signHS256(key: SigningKey, payload: Record<string, unknown>): string {
  const input = HS256_HEADER_B64 + '.' + runtime.base64urlEncodeText(JSON.stringify(payload));
  return input + '.' + hmacBase64url(key, input);
}

/**
 * Whether `signature` is the HS256 signature of `signingInput`, compared in constant time.
 * The comparison is of base64url text, so a signature with other padding bits or extra
 * characters (which a lenient base64 decoder would accept) is refused.
 */
export function hs256Verify(key: SigningKey, signingInput: string, signature: string): boolean {
  return runtime.constantTimeEqual(hmacBase64url(key, signingInput), signature);
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The members at the top level of a JSON object's text: its colons at depth 1 outside strings
 * (valid JSON has exactly one per member). Strings are skipped with indexOf, so a long claim
 * costs one native scan.
 */
function topLevelMembers(text: string): number {
  let depth = 0;
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // To the closing quote: the next quote not escaped by an odd run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return -1;
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 0x5c /* \ */) slashes++;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    else if (c === 0x3a /* : */ && depth === 1) members++;
  }
  return members;
}

/**
 * Decodes a base64url segment holding a JSON object; `undefined` where it is anything else,
 * including an object that holds a key twice at its top level (`{"user_id":"a","user_id":"b"}`).
 * JSON.parse keeps the last one silently, while another reader (a gateway, a log parser, another
 * JWT library) may keep the first: two readers of one token must never disagree on whose it is or
 * which algorithm it names (a token is checked as HS256 only, whatever its header says). The check counts members (see {@link topLevelMembers})
 * against the keys parsed, so keys spelled with escapes (`"user\u005fid"`) count as the same key.
 */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  if (!B64URL.test(segment)) return undefined;
  let text: string;
  let value: unknown;
  try {
    text = runtime.base64urlDecodeText(segment);
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (topLevelMembers(text) !== Object.keys(value).length) return undefined;
  return value as Record<string, unknown>;
}

const B64_ANY = /^[A-Za-z0-9_\-+/]*={0,2}$/;

/**
 * {@link decodeJsonSegment} for an unsigned segment (a dev token's payload): standard base64 with
 * `+`, `/` and `=` padding is read too, as other SDKs write it. Nothing is signed, so reading it
 * leniently makes no two tokens one.
 */
export function decodeLenientSegment(segment: string): Record<string, unknown> | undefined {
  if (!B64_ANY.test(segment)) return undefined;
  return decodeJsonSegment(segment.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
}

/**
 * Why a header's `crit` makes it malformed, or undefined where it has none. tokenkit understands no
 * JWS extension, so any `crit` names one it does not (RFC 7515 §4.1.11: the token must be refused).
 */
export function refuseCrit(header: Record<string, unknown>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(header, 'crit')) return undefined;
  const crit = header['crit'];
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string')) {
    return 'the header\'s crit is not a non-empty list of names (RFC 7515 §4.1.11)';
  }
  const names = crit.slice(0, 5).map((c) => JSON.stringify(String(c).slice(0, 40))).join(', ');
  return `the header's crit names an extension tokenkit does not understand (${names}): a critical extension must be understood (RFC 7515 §4.1.11)`;
}

/**
 * Why {@link decodeJsonSegment} refused a segment, in words for an error message (called only on
 * failure: the fast path never pays for it). Never quotes the segment: it may be part of a token.
 * `lenient`: the segment was read by {@link decodeLenientSegment}.
 */
export function segmentFault(segment: string, lenient = false): string {
  if (!lenient && !B64URL.test(segment)) {
    if (B64_ANY.test(segment)) {
      return 'is not base64url without padding: it holds ' + (/=$/.test(segment) ? '"=" padding' : '"+" or "/" (the standard base64 alphabet)') +
        ', and JWS segments are base64url without padding (RFC 7515 §2)';
    }
    return 'is not base64url';
  }
  if (lenient && !B64_ANY.test(segment)) return 'is not base64';
  if (lenient) segment = segment.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  let value: unknown;
  try {
    value = JSON.parse(runtime.base64urlDecodeText(segment));
  } catch {
    return 'is not base64url-encoded JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  if (decodeJsonSegment(segment) === undefined) return 'holds a key twice (JSON readers disagree on which one counts)';
  return 'is a JSON object';
}
