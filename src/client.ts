import type { KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ArgumentError } from './errors';
import { type ResolvedOptions, type ServerClientOptions, resolveOptions } from './options';
import { type TokenProviderHandler, createTokenProvider } from './provider/handler';
import type { TokenProviderOptions } from './provider/options';
import type { UserTokenClaims } from './tokens/claims';
import { toSecretKey } from './tokens/key';
import { type GenerateUserTokenInput, mintDevToken, mintLegacyToken, mintUserToken } from './tokens/mint';
import { checkUserToken } from './tokens/verify';
import { type VerifyUserTokenOptions, validateVerifyOptions } from './tokens/verify-user-token';

const CLIENT_VERIFY_OPTIONS = new Set(['userId', 'revokedBefore', 'disableAuthChecks', 'clockToleranceSeconds', 'now']);

/**
 * The server-side client: mints user tokens locally and calls the platform's admin API.
 * The secret becomes a `KeyObject` once, here, and never leaves the client: it does not show in
 * `util.inspect(client)`, `JSON.stringify(client)`, errors or logs.
 *
 * @example
 * ```ts
 * import { ServerClient } from 'tokenkit';
 * const client = new ServerClient({ apiKey: 'my-key', apiSecret: 'my-secret', baseUrl: 'http://127.0.0.1:8787' });
 * const token = client.generateUserToken({ user_id: 'alice', validity_in_seconds: 3600 });
 * ```
 */
export class ServerClient {
  readonly #key: KeyObject;
  readonly #options: ResolvedOptions;

  /**
   * @param options - see {@link ServerClientOptions}; `apiKey`, `apiSecret` and `baseUrl` fall back to
   * `TOKENKIT_API_KEY`, `TOKENKIT_API_SECRET` and `TOKENKIT_BASE_URL`.
   * @throws {@link ConfigError} where an option is unknown, of the wrong type, or missing.
   */
  constructor(options?: ServerClientOptions) {
    this.#options = resolveOptions(options);
    this.#key = toSecretKey(this.#options.apiSecret);
  }

  /** The API key this client sends (not a secret, but shown shortened in logs). */
  get apiKey(): string {
    return this.#options.apiKey;
  }

  /** The platform URL, or undefined where none was configured. */
  get baseUrl(): string | undefined {
    return this.#options.baseUrl;
  }

  /**
   * Mints a user token locally (no network): HS256, claims `{ ...claims, user_id, iat, exp }`.
   * `iat` is always stamped, with millisecond precision, so the token can be revoked exactly.
   *
   * @throws {@link ArgumentError} on bad input (synchronous, like the platform's docs).
   * @example
   * ```ts
   * const token = client.generateUserToken({ user_id: 'alice', validity_in_seconds: 3600 });
   * ```
   */
  generateUserToken(input: GenerateUserTokenInput): string {
    return mintUserToken(this.#key, input, Date.now());
  }

  /**
   * The legacy chat signature. `exp` is a timestamp in seconds since the epoch (or a `Date`), not a
   * duration; without it the token never expires. `iat` is stamped (now) unless given.
   *
   * @throws {@link ArgumentError} for an `exp` in the past, in milliseconds, or that looks like a duration.
   * @example
   * ```ts
   * const token = client.createToken('alice', Math.floor(Date.now() / 1000) + 3600);
   * ```
   */
  createToken(userId: string, exp?: number | Date | null, iat?: number | Date | null): string {
    return mintLegacyToken(this.#key, userId, exp, iat, Date.now());
  }

  /**
   * A development token, accepted only while the app has `disable_auth_checks: true`.
   * **Development only**: anyone can forge one. The platform refuses it (43) otherwise.
   *
   * @example
   * ```ts
   * const token = client.devToken('alice'); // "<header>.<payload>.devtoken"
   * ```
   */
  devToken(userId: string): string {
    return mintDevToken(userId);
  }

  /**
   * Checks a user token with this client's secret by the platform's rules; see
   * {@link verifyUserToken}.
   *
   * @example
   * ```ts
   * const claims = await client.verifyUserToken(token, { userId: 'alice' });
   * ```
   */
  async verifyUserToken(token: string, options: Omit<VerifyUserTokenOptions, 'secret' | 'client'> = {}): Promise<UserTokenClaims> {
    const nowMs = validateVerifyOptions(options, CLIENT_VERIFY_OPTIONS);
    if (typeof token !== 'string') {
      throw new ArgumentError('Invalid token: expected a string', [{ path: 'token', message: 'expected a string' }]);
    }
    // The check's options by name, not by spread (a spread cost about a fifth of the call:
    // bench/mint.ts). An undefined tolerance means the client's own.
    return checkUserToken(this.#key, token, {
      userId: options.userId,
      revokedBefore: options.revokedBefore,
      disableAuthChecks: options.disableAuthChecks,
      clockToleranceSeconds: options.clockToleranceSeconds ?? this.#options.clockToleranceSeconds,
      nowMs,
    }).claims;
  }

  /**
   * A token-provider endpoint for your backend: it authenticates the caller with your own
   * `authenticate(req)` (a user id, or `null` for 401), mints a token for that user and answers
   * `{ token, user_id, expires_at }` (ms) with `Cache-Control: no-store`. Use it as Express 5
   * middleware or as a `node:http` request listener. See docs/token-provider.md.
   *
   * @throws {@link ArgumentError} where an option is missing, unknown or of the wrong type.
   * @example
   * ```ts
   * import express from 'express';
   * const app = express();
   * app.get('/token', client.tokenProvider({ authenticate: (req) => sessionUser(req), validity_in_seconds: 3600 }));
   * ```
   */
  tokenProvider<Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage>(
    options: TokenProviderOptions<Req>,
  ): TokenProviderHandler<Req> {
    return createTokenProvider<Req>((input) => this.generateUserToken(input), options);
  }

  /** What `JSON.stringify(client)` shows: never the secret. */
  toJSON(): Record<string, unknown> {
    return { apiKey: this.#options.apiKey, baseUrl: this.#options.baseUrl };
  }

  /** What `util.inspect(client)` and `console.log(client)` show: never the secret. */
  [inspect.custom](): string {
    return `ServerClient { apiKey: ${JSON.stringify(this.#options.apiKey)}, baseUrl: ${JSON.stringify(this.#options.baseUrl)} }`;
  }
}
