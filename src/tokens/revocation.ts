import { numericDateToMs } from './claims';

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
 * The contract's revocation rule: where a cutoff is set, a token without `iat` is revoked, and a
 * token is revoked iff `iat * 1000 < cutoff_ms`. Returns the cutoff that revokes it, or undefined.
 */
export function revokingCutoff(iat: number | undefined, cutoffs: RevocationCutoffs | undefined): Date | undefined {
  if (!cutoffs) return undefined;
  for (const cutoff of [cutoffs.user, cutoffs.app]) {
    if (!cutoff) continue;
    if (iat === undefined || numericDateToMs(iat) < cutoff.getTime()) return cutoff;
  }
  return undefined;
}
