/**
 * The claims of a user token. `iat` has millisecond precision when tokenkit minted it.
 *
 * @example
 * ```ts
 * import type { UserTokenClaims } from 'tokenkit';
 * const claims: UserTokenClaims = await client.verifyUserToken(token);
 * console.log(claims.user_id, claims.exp !== undefined ? new Date(claims.exp * 1000) : 'never expires');
 * ```
 */
export interface UserTokenClaims {
  /** The user the token is for. */
  user_id: string;
  /** Issued at, seconds since the epoch (may have a fractional part: milliseconds). */
  iat?: number;
  /** Expires at, whole seconds since the epoch. */
  exp?: number;
  /** Not before, seconds since the epoch. */
  nbf?: number;
  /** Any other claims the minter added. */
  [claim: string]: unknown;
}

/** Claim names tokenkit sets itself or that mean something to JWT libraries: never taken from `claims`. */
export const RESERVED_CLAIMS = ['user_id', 'iat', 'exp', 'nbf', 'iss', 'aud', 'sub', 'jti', 'server'] as const;

/** Milliseconds of a NumericDate, rounded: `1764070800.537 * 1000` is not exactly `1764070800537` in floating point. */
export function numericDateToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}
