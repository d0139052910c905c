import { ArgumentError, TokenError } from '../errors';
import { type UserTokenClaims, numericDateToMs } from './claims';
import { HS256_HEADER_B64, decodeJsonSegment, hs256Verify, segmentFault } from './jws';
import type { SigningKey } from './key';
import { type RevocationCutoffs, revokingCutoff } from './revocation';

/**
 * The default clock tolerance for `nbf` and `iat` (contract: 5 s).
 *
 * @example
 * ```ts
 * import { DEFAULT_CLOCK_TOLERANCE_SECONDS, verifyUserToken } from 'tokenkit';
 * // A backend whose clock runs a little ahead: allow twice the default.
 * const claims = await verifyUserToken(token, { secret, clockToleranceSeconds: 2 * DEFAULT_CLOCK_TOLERANCE_SECONDS });
 * ```
 */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
/**
 * Tokens longer than this are refused before any parsing or HMAC (hostile input is cheap to refuse).
 *
 * @example
 * ```ts
 * import { MAX_TOKEN_LENGTH, TokenError } from 'tokenkit';
 * const huge = 'x'.repeat(MAX_TOKEN_LENGTH + 1);
 * const refused = await client.verifyUserToken(huge).catch((err: unknown) => err);
 * console.log(refused instanceof TokenError && refused.code); // 43: malformed
 * ```
 */
export const MAX_TOKEN_LENGTH = 8192;

/** How a token was accepted. */
export type TokenKind = 'jwt' | 'dev';

/** The options of the token check, once the key is known. */
export interface CheckOptions {
  /** The user the request is for; a token for another user is refused with 46. */
  userId?: string | undefined;
  /** Revocation cutoffs of the user and of the app. */
  revokedBefore?: RevocationCutoffs | undefined;
  /** The app's `disable_auth_checks`: dev tokens accepted, signatures not checked. */
  disableAuthChecks?: boolean | undefined;
  /** Seconds that `nbf` and `iat` may be in the future (default 5). */
  clockToleranceSeconds?: number | undefined;
  /** The time to check against, in ms (default `Date.now()`). */
  nowMs?: number | undefined;
}

/** A token that passed the check. */
export interface CheckedToken {
  claims: UserTokenClaims;
  kind: TokenKind;
}

function malformed(message: string, cause?: unknown): TokenError {
  return new TokenError(43, message, cause === undefined ? undefined : { cause });
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function iso(seconds: number): string {
  const d = new Date(numericDateToMs(seconds));
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

/** The three parts of a compact JWS, and the signing input (`header.payload`). */
interface TokenParts {
  header: string;
  payload: string;
  signature: string;
  signingInput: string;
}

/** Splits at the two dots (found with indexOf: no array, no third copy of the signing input); undefined unless there are exactly two. */
function splitToken(token: string): TokenParts | undefined {
  const dot1 = token.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
  if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return undefined;
  return {
    header: token.slice(0, dot1),
    payload: token.slice(dot1 + 1, dot2),
    signature: token.slice(dot2 + 1),
    signingInput: token.slice(0, dot2),
  };
}

/** The header's `alg` in words for a message: quoted only when it is a short plain name. */
function algorithmName(alg: unknown): string {
  if (alg === undefined) return 'no algorithm';
  return typeof alg === 'string' && /^[A-Za-z0-9+_-]{1,16}$/.test(alg) ? `"${alg}"` : 'an algorithm that is not a name';
}

/** Reads the payload, checking the algorithm and the signature (43) unless auth checks are off. */
function readPayload(key: SigningKey, parts: TokenParts, disableAuthChecks: boolean): Record<string, unknown> {
  const { header, payload, signature } = parts;
  if (header !== HS256_HEADER_B64) {
    // tokenkit's own header is a known JSON object: decoding it again is work without a purpose
    // (bench/mint.ts, verification target). Any other header (other key order, extra fields such
    // as kid, another alg) is decoded and must be an object, and so must the payload, before the
    // algorithm is looked at: a key given twice (two "alg", two "user_id") is refused before it
    // can mean two things to two readers.
    const head = decodeJsonSegment(header);
    if (!head) throw malformed(`token malformed: the header ${segmentFault(header)}`);
    if (!decodeJsonSegment(payload)) throw malformed(`token malformed: the payload ${segmentFault(payload)}`);
    // The algorithm is pinned to HS256: "none", RS256/ES256 (key confusion), HS384/HS512 and
    // everything else are refused, whatever the signature.
    if (!disableAuthChecks && head['alg'] !== 'HS256') {
      throw malformed(`token refused: the algorithm must be HS256, the header names ${algorithmName(head['alg'])}`);
    }
  }
  if (!disableAuthChecks && !hs256Verify(key, parts.signingInput, signature)) {
    throw malformed('token signature is invalid (signed with another secret, or changed)');
  }
  const claims = decodeJsonSegment(payload);
  if (!claims) throw malformed(`token malformed: the payload ${segmentFault(payload)}`);
  return claims;
}

/**
 * The platform's token rules (contract: "How the platform checks a user's request", steps 3 to
 * 5), synchronous, throwing a {@link TokenError}. The emulator and `verifyUserToken` share it.
 */
export function checkUserToken(key: SigningKey, token: string, options: CheckOptions = {}): CheckedToken {
  if (token.length === 0) throw malformed('token malformed: it is empty');
  if (token.length > MAX_TOKEN_LENGTH) throw malformed(`token malformed: longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = splitToken(token);
  if (!parts) throw malformed('token malformed: expected three dot-separated parts');
  const disableAuthChecks = options.disableAuthChecks === true;

  let kind: TokenKind = 'jwt';
  let claims: Record<string, unknown>;
  if (parts.signature === 'devtoken') {
    if (!disableAuthChecks) {
      throw malformed('dev tokens are refused while auth checks are on (the app has disable_auth_checks: false)');
    }
    const payload = decodeJsonSegment(parts.payload);
    if (!payload) throw malformed(`dev token malformed: the payload ${segmentFault(parts.payload)}`);
    claims = payload;
    kind = 'dev';
  } else {
    claims = readPayload(key, parts, disableAuthChecks);
  }

  if (claims['server'] === true) throw malformed('a server token is not a user token');
  const userId = claims['user_id'];
  if (userId === undefined) throw new TokenError(46, 'token has no user_id claim');
  if (typeof userId !== 'string') throw malformed('token malformed: user_id is not a string');
  if (options.userId !== undefined && userId !== options.userId) {
    throw new TokenError(46, `token belongs to another user (token user_id "${userId}", request for "${options.userId}")`);
  }

  const nowMs = options.nowMs ?? Date.now();
  const toleranceMs = (options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS) * 1000;
  const { exp, nbf, iat } = claims;
  if (exp !== undefined) {
    if (!isNumericDate(exp)) throw malformed('token malformed: exp is not a non-negative number of seconds');
    if (numericDateToMs(exp) <= nowMs) throw new TokenError(40, `token expired at ${iso(exp)}`);
  }
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw malformed('token malformed: nbf is not a non-negative number of seconds');
    if (numericDateToMs(nbf) > nowMs + toleranceMs) {
      throw new TokenError(41, `token not valid before ${iso(nbf)}: more than the clock tolerance ahead (check the server clocks)`);
    }
  }
  if (iat !== undefined) {
    if (!isNumericDate(iat)) throw malformed('token malformed: iat is not a non-negative number of seconds');
    if (numericDateToMs(iat) > nowMs + toleranceMs) {
      throw new TokenError(42, `token issued in the future (${iso(iat)}): more than the clock tolerance ahead (check the server clocks)`);
    }
  }
  if (kind === 'jwt') {
    const cutoff = revokingCutoff(iat as number | undefined, options.revokedBefore);
    if (cutoff) {
      throw new TokenError(
        44,
        iat === undefined
          ? `token revoked: it has no iat, and tokens issued before ${cutoff.toISOString()} are revoked`
          : `token revoked: issued at ${iso(iat as number)}, before the cutoff ${cutoff.toISOString()}`,
      );
    }
  }
  return { claims: claims as UserTokenClaims, kind };
}

/** Validates the options every verifier shares; an {@link ArgumentError} names the field. */
export function validateCheckOptions(options: CheckOptions & { now?: unknown }): void {
  const tol = options.clockToleranceSeconds;
  if (tol !== undefined && (typeof tol !== 'number' || !Number.isFinite(tol) || tol < 0 || tol > 3600)) {
    throw new ArgumentError('Invalid clockToleranceSeconds: expected a number of seconds from 0 to 3600', [
      { path: 'clockToleranceSeconds', message: 'expected a number of seconds from 0 to 3600' },
    ]);
  }
  const rb = options.revokedBefore;
  if (rb !== undefined) {
    if (typeof rb !== 'object' || rb === null) {
      throw new ArgumentError('Invalid revokedBefore: expected { user?: Date | null, app?: Date | null }', [
        { path: 'revokedBefore', message: 'expected { user?: Date | null, app?: Date | null }' },
      ]);
    }
    for (const k of Object.keys(rb)) {
      const v = (rb as Record<string, unknown>)[k];
      if (k !== 'user' && k !== 'app') {
        throw new ArgumentError(`Invalid revokedBefore.${k}: unknown key (expected user or app)`, [
          { path: `revokedBefore.${k}`, message: 'unknown key (expected user or app)' },
        ]);
      }
      if (v !== undefined && v !== null && !(v instanceof Date && !Number.isNaN(v.getTime()))) {
        throw new ArgumentError(`Invalid revokedBefore.${k}: expected a valid Date or null`, [
          { path: `revokedBefore.${k}`, message: 'expected a valid Date or null' },
        ]);
      }
    }
  }
  if (options.userId !== undefined && typeof options.userId !== 'string') {
    throw new ArgumentError('Invalid userId: expected a string', [{ path: 'userId', message: 'expected a string' }]);
  }
  if (options.disableAuthChecks !== undefined && typeof options.disableAuthChecks !== 'boolean') {
    throw new ArgumentError('Invalid disableAuthChecks: expected a boolean', [
      { path: 'disableAuthChecks', message: 'expected a boolean' },
    ]);
  }
}
