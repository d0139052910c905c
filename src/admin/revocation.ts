import { z } from 'zod';
import { ArgumentError, ResponseShapeError, TokenError } from '../errors';
import { type RequestOptions, type Transport, type WriteOptions, validateRequestOptions, validateWriteOptions } from '../http/transport';
import { parseArgument, validateUserId } from '../schemas/validate';
import type { User } from '../schemas/users';
import { DEFAULT_VALIDITY_SECONDS, type GenerateUserTokenInput } from '../tokens/mint';
import { revokingCutoff } from '../tokens/revocation';
import { getApp } from './app';
import { MAX_LEAD_MS, type MintClock } from './clock';
import { observeCutoff, setUserCutoff, type UsersResult, userIdList, validateCutoff } from './users';

/**
 * What `revokeUserTokens` answers: the cutoff it set and every user it wrote.
 *
 * @example
 * ```ts
 * import type { RevokeUserTokensResult } from 'tokenkit';
 * const result: RevokeUserTokensResult = await client.revokeUserTokens(['alice', 'bob']);
 * console.log(result.revokeTokensIssuedBefore.toISOString(), Object.keys(result.users)); // ... [ 'alice', 'bob' ]
 * ```
 */
export interface RevokeUserTokensResult extends UsersResult {
  /** The cutoff set on every user: tokens issued before it are refused (44). */
  revokeTokensIssuedBefore: Date;
}

/**
 * Sets `revoke_tokens_issued_before` on one or more users; `before` defaults to now (this client's
 * clock). An `idempotencyKey` needs a given `before`: a cutoff picked per call would make a
 * second call with the key another request, which the platform refuses instead of replaying.
 */
export async function revokeUserTokens(
  http: Transport,
  clock: MintClock,
  userIdOrIds: string | string[],
  before: Date | undefined,
  options?: WriteOptions,
): Promise<RevokeUserTokensResult> {
  const ids = userIdList(userIdOrIds);
  const opts = validateWriteOptions(options, 'revokeUserTokens options');
  if (opts.idempotencyKey !== undefined && before === undefined) {
    throw new ArgumentError(
      'revokeUserTokens with an idempotencyKey needs a fixed cutoff: pass `before` (the same Date on every call with this key). ' +
        'Without it each call picks its own "now", so a repeat would be another request, which the platform refuses for a reused key',
      [{ path: 'before', message: 'required with idempotencyKey' }],
    );
  }
  // A given date goes through the client's rule in updateUsersPartial (MintClock.givenCutoff).
  const cutoff = before === undefined ? new Date(clock.cutoffNow()) : validateCutoff(before, 'before');
  const res = await setUserCutoff(http, clock, ids, cutoff, opts, 'revokeUserTokens');
  return { revokeTokensIssuedBefore: answeredCutoff(res, ids[0] ?? '', cutoff), users: res.users };
}

/** The cutoff the platform stored for `id` (it may raise a given one: docs/platform-api.md), else the one sent. */
function answeredCutoff(res: UsersResult, id: string, sent: Date): Date {
  return res.users[id]?.revoke_tokens_issued_before ?? sent;
}

/**
 * The options of `rotateUserToken`: those of `generateUserToken` for the new token, and the request's.
 *
 * @example
 * ```ts
 * import type { RotateUserTokenOptions } from 'tokenkit';
 * const options: RotateUserTokenOptions = { validity_in_seconds: 900, timeoutMs: 5000 };
 * const { token: fresh } = await client.rotateUserToken('alice', options);
 * ```
 */
export interface RotateUserTokenOptions extends RequestOptions {
  /** How long the new token is valid, in seconds (default 3600). */
  validity_in_seconds?: number | undefined;
  /** Extra claims for the new token. */
  claims?: Record<string, unknown> | undefined;
}

/**
 * What `rotateUserToken` answers.
 *
 * @example
 * ```ts
 * import type { RotatedToken } from 'tokenkit';
 * const rotated: RotatedToken = await client.rotateUserToken('alice');
 * console.log(rotated.expiresAt > rotated.revokeTokensIssuedBefore); // true
 * ```
 */
export interface RotatedToken {
  /** The new token, accepted at once. Secret. */
  token: string;
  /** When the new token expires. */
  expiresAt: Date;
  /** The cutoff set on the user: every token issued before it, by anyone, is refused. */
  revokeTokensIssuedBefore: Date;
  /** The user as the platform answered it. */
  user: User;
}

const rotateOptionsSchema = z.strictObject({
  validity_in_seconds: z.unknown().optional(),
  claims: z.unknown().optional(),
  signal: z.unknown().optional(),
  timeoutMs: z.unknown().optional(),
});

/** Mints a token at a given time: the client's `mintUserToken` with its key. */
export type Minter = (input: GenerateUserTokenInput, nowMs: number) => string;

/**
 * Revokes the user's tokens (cutoff: now, by this client's clock), then mints a new token with the
 * same clock, stamped no earlier than the cutoff: the new token is accepted at once and every
 * token issued before, this client's included, is refused (docs/platform-api.md, "The revocation rule").
 */
export async function rotateUserToken(
  http: Transport,
  clock: MintClock,
  mint: Minter,
  userId: string,
  options?: RotateUserTokenOptions,
): Promise<RotatedToken> {
  const id = validateUserId(userId);
  // Only undefined means "no options": null is refused like any other wrong type.
  parseArgument(rotateOptionsSchema, options === undefined ? {} : options, 'rotateUserToken options');
  const { validity_in_seconds, claims, ...rest } = options ?? {};
  const request = validateRequestOptions(rest, 'rotateUserToken options');
  const input: GenerateUserTokenInput = { user_id: id, validity_in_seconds, claims };
  // Minted once and thrown away before the revocation: the token's input is refused here,
  // with nothing changed on the platform, rather than after the old tokens are gone.
  mint(input, Date.now());
  // The app's cutoff applies to the new token too: one in the future (more than MAX_LEAD_MS
  // ahead: a nearer one counts as now, and the new token is stamped after it) would refuse it.
  // Refused here, before the user's tokens are revoked: rotateUserToken never answers a dead token.
  const app = await getApp(http, request);
  const appCutoff = app.revoke_tokens_issued_before;
  if (appCutoff) clock.observeCutoff(appCutoff.getTime());
  if (appCutoff && appCutoff.getTime() > Date.now() + MAX_LEAD_MS) {
    throw new TokenError(
      44,
      `rotateUserToken: the app's revoke_tokens_issued_before is ${appCutoff.toISOString()}, in the future: every token issued before it is refused, ` +
        'a new one too. Nothing was changed. Restore the app cutoff (restoreAppTokens) or set it to now, then rotate',
    );
  }
  const cutoff = new Date(clock.cutoffNow());
  const res = await setUserCutoff(http, clock, [id], cutoff, request, 'rotateUserToken');
  const user = res.users[id];
  if (!user) throw new ResponseShapeError(`PATCH /v1/users did not answer user "${id}"`, [{ path: `users.${id}`, message: 'missing' }]);
  const mintMs = clock.mintNow();
  const token = mint(input, mintMs);
  const refusedBy = revokingCutoff(mintMs / 1000, { user: user.revoke_tokens_issued_before, app: appCutoff });
  if (refusedBy) {
    // Only where the platform stored a cutoff ahead of the one sent (another writer at the same time).
    throw new TokenError(
      44,
      `rotateUserToken: the user's tokens were revoked, but the new token would be refused too: the platform holds the cutoff ${refusedBy.toISOString()}, ` +
        'after it. Call rotateUserToken again once that time has passed',
    );
  }
  const validity = validity_in_seconds ?? DEFAULT_VALIDITY_SECONDS;
  return { token, expiresAt: new Date((Math.floor(mintMs / 1000) + validity) * 1000), revokeTokensIssuedBefore: answeredCutoff(res, id, cutoff), user };
}
