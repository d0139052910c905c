
/**
 * The revocation cutoffs that apply to a user: its own and the app's (`null`: none).
 *
 * @example
 * ```ts
 * import type { RevocationCutoffs } from 'tokenkit';
 * const cutoffs: RevocationCutoffs = { user: user.revoke_tokens_issued_before, app: app.revoke_tokens_issued_before };
 * const claims = await client.verifyUserToken(token, { revokedBefore: cutoffs });
 * ```
 */
export interface RevocationCutoffs {
  /** The user's `revoke_tokens_issued_before`. */
  user?: Date | null | undefined;
  /** The app's `revoke_tokens_issued_before`. */
  app?: Date | null | undefined;
}

/**
 * The millisecond a token was issued in: `iat` (seconds, maybe with a fraction) to whole ms,
 * rounded down. It is first rounded to microseconds: in floating point `1764070800.537 * 1000` is
 * `1764070800536.9998`, which would put a token minted in millisecond 537 into 536.
 */
export function issuedAtMs(iat: number): number {
  return Math.floor(Math.round(iat * 1e6) / 1000);
}

/**
 * The contract's revocation rule (docs/platform-api.md, "The revocation rule"): where a cutoff is
 * set, a token without `iat` is revoked, and a token is revoked iff it was issued in or before the
 * cutoff's millisecond, `issued_ms <= cutoff_ms` (inclusive). Returns the cutoff that revokes it,
 * or undefined.
 */
export function revokingCutoff(iat: number | undefined, cutoffs: RevocationCutoffs | undefined): Date | undefined {
  if (!cutoffs) return undefined;
  for (const cutoff of [cutoffs.user, cutoffs.app]) {
    if (!cutoff) continue;
    if (iat === undefined || issuedAtMs(iat) <= cutoff.getTime()) return cutoff;
  }
  return undefined;
}
