import { ArgumentError } from '../errors';
import type { UserTokenClaims } from './claims';
import { type SecretInput, type SigningKey, signingKeyForString, toSigningKey } from './key';
import type { RevocationCutoffs } from './revocation';
import { checkUserToken, validateCheckOptions } from './verify';

/**
 * Anything that can check a token with a secret it keeps to itself: a {@link ServerClient}.
 *
 * @example
 * ```ts
 * import { type TokenVerifier, verifyUserToken } from 'tokenkit';
 * const verifier: TokenVerifier = client; // a ServerClient: its secret stays inside it
 * const claims = await verifyUserToken(token, { client: verifier, userId: 'alice' });
 * ```
 */
export interface TokenVerifier {
  /** Checks `token` by the platform's rules with the secret the verifier holds; see {@link verifyUserToken}. */
  verifyUserToken(token: string, options?: Omit<VerifyUserTokenOptions, 'secret' | 'client'>): Promise<UserTokenClaims>;
}

/**
 * The options of {@link verifyUserToken}. Give `secret` or `client`, not both.
 *
 * @example
 * ```ts
 * import { type VerifyUserTokenOptions, verifyUserToken } from 'tokenkit';
 * const options: VerifyUserTokenOptions = { secret, userId: 'alice', revokedBefore: { user: user.revoke_tokens_issued_before } };
 * const claims = await verifyUserToken(token, options);
 * ```
 */
export interface VerifyUserTokenOptions {
  /**
   * The app secret: a string, its bytes, a {@link SigningKey} (or, on Node, a secret key object from `createSecretKey`).
   * A string's key is prepared once and reused by later calls with the same string.
   */
  secret?: SecretInput | undefined;
  /** A client whose secret to use (it never leaves the client). */
  client?: TokenVerifier | undefined;
  /** The user the request is for: a token for anyone else is refused with 46. */
  userId?: string | undefined;
  /** The user's and the app's `revoke_tokens_issued_before`: older tokens are refused with 44. */
  revokedBefore?: RevocationCutoffs | undefined;
  /** The app's `disable_auth_checks`: dev tokens are accepted and signatures are not checked. */
  disableAuthChecks?: boolean | undefined;
  /** Seconds that `nbf` and `iat` may lie in the future (default 5). */
  clockToleranceSeconds?: number | undefined;
  /** The time to check against (default: now). */
  now?: Date | number | undefined;
}

const KNOWN = new Set(['secret', 'client', 'userId', 'revokedBefore', 'disableAuthChecks', 'clockToleranceSeconds', 'now']);

/** Reads `now` (a Date or ms) into ms. */
export function nowToMs(now: unknown): number | undefined {
  if (now === undefined) return undefined;
  if (now instanceof Date && !Number.isNaN(now.getTime())) return now.getTime();
  if (typeof now === 'number' && Number.isFinite(now) && now >= 0) return now;
  throw new ArgumentError('Invalid now: expected a valid Date or milliseconds since the epoch', [
    { path: 'now', message: 'expected a valid Date or milliseconds since the epoch' },
  ]);
}

/** Checks the options' keys and values, throwing an {@link ArgumentError}; returns `now` in ms. */
export function validateVerifyOptions(options: unknown, allowed: ReadonlySet<string> = KNOWN): number | undefined {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError('Invalid verify options: expected an object', [{ path: '', message: 'expected an object' }]);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.has(k)) {
      const list = [...allowed].join(', ');
      throw new ArgumentError(`Invalid verify options: unknown option "${k}" (valid: ${list})`, [
        { path: k, message: `unknown option (valid: ${list})` },
      ]);
    }
  }
  validateCheckOptions(options as VerifyUserTokenOptions);
  return nowToMs((options as VerifyUserTokenOptions).now);
}

/**
 * Checks a user token by the platform's rules and resolves to its claims, or rejects with a
 * {@link TokenError} whose `code` is the platform's: 40 expired, 41 not yet valid, 42 issued in
 * the future, 43 malformed / wrong algorithm / bad signature, 44 revoked, 46 another user.
 * The algorithm is pinned to HS256: `none` and every other algorithm are refused.
 *
 * @example
 * ```ts
 * import { verifyUserToken } from 'tokenkit';
 * const claims = await verifyUserToken(token, {
 *   secret: process.env.TOKENKIT_API_SECRET!,
 *   userId: 'alice',
 *   revokedBefore: { user: user.revoke_tokens_issued_before, app: app.revoke_tokens_issued_before },
 * });
 * console.log(claims.user_id);
 * ```
 */
export async function verifyUserToken(token: string, options: VerifyUserTokenOptions): Promise<UserTokenClaims> {
  const nowMs = validateVerifyOptions(options);
  if (typeof token !== 'string') {
    throw new ArgumentError('Invalid token: expected a string', [{ path: 'token', message: 'expected a string' }]);
  }
  const { secret, client } = options;
  if ((secret === undefined) === (client === undefined)) {
    throw new ArgumentError('Invalid verify options: give exactly one of secret or client', [
      { path: 'secret', message: 'give exactly one of secret or client' },
    ]);
  }
  if (client !== undefined) {
    if (typeof client !== 'object' || client === null || typeof client.verifyUserToken !== 'function') {
      throw new ArgumentError('Invalid client: expected a ServerClient', [{ path: 'client', message: 'expected a ServerClient' }]);
    }
    const { client: _c, secret: _s, ...rest } = options;
    return client.verifyUserToken(token, rest);
  }
  // A string secret's key is prepared once and kept (bounded): preparing it on every call cost
  // more than the check itself (bench/mint.ts, "string secret").
  const key = typeof secret === 'string' ? signingKeyForString(secret, 'secret') : toSigningKey(secret, 'secret');
  // The check's options by name, not by spread: copying the caller's object cost about a fifth
  // of the call (bench/mint.ts).
  return checkUserToken(key, token, {
    userId: options.userId,
    revokedBefore: options.revokedBefore,
    disableAuthChecks: options.disableAuthChecks,
    clockToleranceSeconds: options.clockToleranceSeconds,
    nowMs,
  }).claims;
}
