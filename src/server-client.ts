import { type AppCutoff, getApp, revokeAppTokens, updateApp } from './admin/app';
import { type AddedSecret, addSecret, changeSecret, listSecrets } from './admin/secrets';
import { MintClock } from './admin/clock';

import { type RevokeUserTokensResult, type RotatedToken, type RotateUserTokenOptions, revokeUserTokens, rotateUserToken } from './admin/revocation';
import { type IssuedToken, type IssueTokenOptions, type RevokeAllTokensResult, issueToken, revokeAllTokens } from './admin/tokens';
import {
  type ListUsersOptions,
  type QueryUsersInput,
  type UpdateUsersPartialInput,
  type UsersPage,
  type UsersResult,
  getUser,
  listUsers,
  queryUsers,
  setUserCutoff,
  updateUsersPartial,
  upsertUsers,
  userIdList,
  validateListUsersOptions,
} from './admin/users';
import { BulkOperations } from './bulk/operations';
import { ArgumentError } from './errors';
import { type RequestOptions, Transport, type WriteOptions, validateRequestOptions } from './http/transport';
import { type ResolvedOptions, type ServerClientOptions, resolveOptions } from './options';
import type { App, AppPatch } from './schemas/app';
import type { SecretInfo } from './schemas/secrets';
import type { User, UserInput } from './schemas/users';
import { type TokenProviderHandler, createTokenProvider } from './provider/handler';
import type { TokenProviderOptions } from './provider/options';
import type { UserTokenClaims } from './tokens/claims';
import type { SigningKey } from './tokens/key';
import { type KeySet, toKeySet } from './tokens/keyring';
import { type GenerateUserTokenInput, mintDevToken, mintLegacyToken, mintUserToken } from './tokens/mint';
import { checkUserToken } from './tokens/verify';
import { type VerifyUserTokenOptions, validateVerifyOptions } from './tokens/verify-user-token';

/**
 * The issuer clock shared by every ServerClient of the process (Date.now, read at each call): a
 * cutoff one of them sets or reads is known to all. It is kept on `globalThis`, so that two copies
 * of this module in one process (a bundle and node_modules, an isolated test registry, ESM next
 * to CommonJS) share it too: a copy with a clock of its own could mint, in the millisecond of a
 * cutoff another copy set, a token that cutoff refuses.
 */
const PROCESS_MINT_CLOCK: MintClock = (() => {
  const slot = Symbol.for('tokenkit.issuerClock');
  const holder = globalThis as { [slot]?: unknown };
  const existing = holder[slot];
  if (existing instanceof MintClock || (typeof existing === 'object' && existing !== null && 'mintNow' in existing && 'observeCutoff' in existing)) {
    return existing as MintClock;
  }
  const clock = new MintClock();
  holder[slot] = clock;
  return clock;
})();

/** @internal Each client's transport and clock, for the package's own tools (the CLI's batch runs); not exported by the package. */
const INTERNALS = new WeakMap<ServerClient, { http: Transport; clock: MintClock }>();

/** @internal The transport and clock of `client` (see {@link INTERNALS}). */
export function clientInternals(client: ServerClient): { http: Transport; clock: MintClock } {
  const internals = INTERNALS.get(client);
  if (!internals) throw new TypeError('not a ServerClient');
  return internals;
}

const CLIENT_VERIFY_OPTIONS = new Set(['userId', 'revokedBefore', 'disableAuthChecks', 'clockToleranceSeconds', 'now']);

/**
 * The server-side client: mints user tokens locally and calls the platform's admin API.
 * The secret (each secret of a keyring) becomes a {@link SigningKey} once, here, and never leaves the client: it does not show in
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
  readonly #key: KeySet;
  readonly #options: ResolvedOptions;
  readonly #http: Transport;
  // One issuer clock for every ServerClient of the process: a cutoff one of them sets or reads is
  // known to all, so the tokens any of them mints afterwards are stamped after it (docs/platform-api.md).
  readonly #clock = PROCESS_MINT_CLOCK;
  readonly #bulk: BulkOperations;

  /**
   * @param options - see {@link ServerClientOptions}; `apiKey`, `apiSecret` and `baseUrl` fall back to
   * `TOKENKIT_API_KEY`, `TOKENKIT_API_SECRET` (or `TOKENKIT_API_SECRETS`, a keyring as JSON
   * `[{"kid":"...","secret":"..."}, ...]`) and `TOKENKIT_BASE_URL`.
   * @throws {@link ConfigError} where an option is unknown, of the wrong type, or missing; where both
   * secret variables are set, or `TOKENKIT_API_SECRETS` is not a keyring (naming the entry, never a value).
   */
  constructor(options?: ServerClientOptions) {
    this.#options = resolveOptions(options);
    this.#key = toKeySet(this.#options.apiSecret);
    this.#http = new Transport(this.#key, this.#options);
    this.#bulk = new BulkOperations(this.#http, this.#options.compatibilityMode, this.#clock);
    INTERNALS.set(this, { http: this.#http, clock: this.#clock });
  }

  /**
   * The API key this client sends (not a secret, but shown shortened in logs).
   *
   * @example
   * ```ts
   * console.log(client.apiKey); // the key given, or TOKENKIT_API_KEY
   * ```
   */
  get apiKey(): string {
    return this.#options.apiKey;
  }

  /**
   * The platform URL, or undefined where none was configured.
   *
   * @example
   * ```ts
   * import { UserClient } from 'tokenkit/client';
   * const chat = new UserClient({ apiKey: client.apiKey, baseUrl: client.baseUrl ?? 'http://127.0.0.1:8787' });
   * ```
   */
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
    return mintUserToken(this.#key, input, this.#clock.mintNow());
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
    return mintLegacyToken(this.#key, userId, exp, iat, this.#clock.mintNow());
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
   * `{ token, user_id, expires_at }` (ms) with `Cache-Control: no-store`. The handler serves two
   * forms: Node's `(req, res, next?)` (Express 5 middleware, a `node:http` request listener) and
   * the web-standard `(request: Request) => Promise<Response>` (Next.js route handlers, Hono,
   * Cloudflare Workers, Vercel edge functions, `Bun.serve`, `Deno.serve`). Its type follows the
   * request type `authenticate` takes. For Fastify, see `tokenkit/fastify`. See docs/token-provider.md.
   *
   * @throws {@link ArgumentError} where an option is missing, unknown or of the wrong type.
   * @example
   * ```ts
   * import express from 'express';
   * const app = express();
   * app.get('/token', client.tokenProvider({ authenticate: (req) => sessionUser(req), validity_in_seconds: 3600 }));
   * // The web-standard form, e.g. a Next.js route handler (app/api/token/route.ts):
   * export const GET = client.tokenProvider({ authenticate: (request: Request) => request.headers.get('x-user') });
   * ```
   */
  tokenProvider<Req extends import('node:http').IncomingMessage | Request = import('node:http').IncomingMessage>(
    options: TokenProviderOptions<Req>,
  ): TokenProviderHandler<Req> {
    return createTokenProvider<Req>((input) => this.generateUserToken(input), options);
  }

  /**
   * Reads the app's settings (`GET /v1/app`).
   *
   * @example
   * ```ts
   * const app = await client.getApp();
   * console.log(app.revoke_tokens_issued_before); // a Date, or null
   * ```
   */
  async getApp(options?: RequestOptions): Promise<App> {
    return await getApp(this.#http, options);
  }

  /**
   * Changes some of the app's settings (`PATCH /v1/app`); `revoke_tokens_issued_before` takes a
   * `Date` or `null` (undo). `options.idempotencyKey`: see {@link WriteOptions}.
   *
   * @example
   * ```ts
   * await client.updateApp({ revoke_tokens_issued_before: null });
   * ```
   */
  async updateApp(patch: AppPatch, options?: WriteOptions): Promise<App> {
    return await updateApp(this.#http, this.#clock, patch, options);
  }

  /**
   * Creates or replaces users (`POST /v1/users`), 100 per request: name, role and custom fields.
   * `options.idempotencyKey` (see {@link WriteOptions}) takes up to 100 users.
   *
   * @example
   * ```ts
   * const { users } = await client.upsertUsers([{ id: 'alice', name: 'Alice' }]);
   * ```
   */
  async upsertUsers(users: UserInput[], options?: WriteOptions): Promise<UsersResult> {
    return await upsertUsers(this.#http, users, options);
  }

  /**
   * Reads a user (`GET /v1/users/{id}`); an unknown user rejects with an `ApiError`, code 16.
   *
   * @example
   * ```ts
   * const user = await client.getUser('alice');
   * ```
   */
  async getUser(userId: string, options?: RequestOptions): Promise<User> {
    return await getUser(this.#http, userId, options);
  }

  /**
   * Reads users back (`GET /v1/users`): by `ids` (1 to 100; the users that exist, in the order
   * asked; an unknown id is left out), or a page in id order (`limit` 1 to 1000, default 100;
   * `cursor`: the `next` of the page before). Each user carries its cutoff and `requires_token`.
   *
   * @example
   * ```ts
   * const { users } = await client.queryUsers({ ids: ['alice', 'bob'] });
   * const first = await client.queryUsers({ limit: 500 });
   * if (first.next !== null) await client.queryUsers({ limit: 500, cursor: first.next });
   * ```
   */
  async queryUsers(input: QueryUsersInput, options?: RequestOptions): Promise<UsersPage> {
    return await queryUsers(this.#http, input, options);
  }

  /**
   * Every user of the app, as an async iterable, page by page in id order (`limit` users a
   * request, default 100): each user once, also where users are added meanwhile.
   *
   * @example
   * ```ts
   * let revoked = 0;
   * for await (const user of client.listUsers({ limit: 1000 })) if (user.revoke_tokens_issued_before) revoked++;
   * console.log(`${revoked} users have a cutoff`);
   * ```
   */
  listUsers(options?: ListUsersOptions): AsyncIterable<User> {
    // Checked now, before the first page is asked for, rather than on the first iteration.
    return listUsers(this.#http, validateListUsersOptions(options));
  }

  /**
   * Partial update of users (`PATCH /v1/users`): `set` and `unset` fields, 100 users per request,
   * each request all or nothing; answers every user. Over 100 users, a failing request rejects the
   * call and the requests before it stay applied (use `client.bulk` for a per-user account).
   * `options.idempotencyKey` (see {@link WriteOptions}) is refused over 100 users: each request
   * needs its own key.
   *
   * @example
   * ```ts
   * await client.updateUsersPartial({ users: [{ id: 'user1', set: { revoke_tokens_issued_before: new Date() } }] });
   * await client.updateUsersPartial({ users: [{ id: 'user1', set: { revoke_tokens_issued_before: null } }] }); // undo
   * ```
   */
  async updateUsersPartial(input: UpdateUsersPartialInput, options?: WriteOptions): Promise<UsersResult> {
    return await updateUsersPartial(this.#http, this.#clock, input, options);
  }

  /**
   * Revokes the tokens of one or more users issued before `before` (default: now, by this
   * client's clock, after every token it minted). Undo with {@link ServerClient.restoreUserTokens}.
   * `options.idempotencyKey` (see {@link WriteOptions}) takes up to 100 ids and needs `before`, so
   * that a repeat sends the same cutoff.
   *
   * @example
   * ```ts
   * const { revokeTokensIssuedBefore } = await client.revokeUserTokens('alice');
   * // A step that may run again (a resumed job): the same cutoff, the same key.
   * await client.revokeUserTokens(['alice', 'bob'], new Date('2026-01-01T00:00:00Z'), { idempotencyKey: 'job-42/revoke' });
   * ```
   */
  async revokeUserTokens(userIdOrIds: string | string[], before?: Date, options?: WriteOptions): Promise<RevokeUserTokensResult> {
    return await revokeUserTokens(this.#http, this.#clock, userIdOrIds, before, options);
  }

  /**
   * Undoes user revocations: sets `revoke_tokens_issued_before` back to `null`, so every token it
   * revoked (and still unexpired) is accepted again. `options.idempotencyKey` (see
   * {@link WriteOptions}) takes up to 100 ids.
   *
   * @example
   * ```ts
   * await client.restoreUserTokens(['alice', 'bob']);
   * ```
   */
  async restoreUserTokens(userIdOrIds: string | string[], options?: WriteOptions): Promise<UsersResult> {
    const ids = userIdList(userIdOrIds);
    return await setUserCutoff(this.#http, this.#clock, ids, null, options, 'restoreUserTokens');
  }

  /**
   * Revokes every token of every user issued up to `before`: `'now'` (by this client's clock,
   * after every token it minted) or a `Date`. It is required, so nobody revokes the whole app by
   * accident. Undo with {@link ServerClient.restoreAppTokens}.
   *
   * @example
   * ```ts
   * await client.revokeAppTokens('now'); // a leaked secret, once the new one is deployed
   * ```
   */
  async revokeAppTokens(before: AppCutoff, options?: RequestOptions): Promise<App> {
    return await revokeAppTokens(this.#http, this.#clock, before, options);
  }

  /**
   * Undoes an app-level revocation (`revoke_tokens_issued_before: null`).
   *
   * @example
   * ```ts
   * await client.restoreAppTokens();
   * ```
   */
  async restoreAppTokens(options?: RequestOptions): Promise<App> {
    return await updateApp(this.#http, this.#clock, { revoke_tokens_issued_before: null }, validateRequestOptions(options));
  }

  /**
   * Revokes the user's tokens, then mints a new one that the platform accepts at once: the cutoff
   * and the new token's `iat` come from the same clock.
   *
   * @example
   * ```ts
   * const { token } = await client.rotateUserToken('alice', { validity_in_seconds: 3600 });
   * ```
   */
  async rotateUserToken(userId: string, options?: RotateUserTokenOptions): Promise<RotatedToken> {
    return await rotateUserToken(this.#http, this.#clock, (input, nowMs) => mintUserToken(this.#key, input, nowMs), userId, options);
  }

  /**
   * Has the platform issue a token (`POST /v1/users/{id}/token`, 7 days by default). In
   * compatibility mode (the client's `compatibilityMode` option, or this call's), it goes through
   * the user-update call (`PUT /v1/users/{id}` with `issue_session_token`) and answers the same shape.
   * `options.idempotencyKey` (see {@link WriteOptions}) goes on the POST, or on the PUT.
   *
   * @example
   * ```ts
   * const { token, expiresAt } = await client.issueToken('alice', { expiresAt: new Date(Date.now() + 3600_000) });
   * ```
   */
  async issueToken(userId: string, options?: IssueTokenOptions): Promise<IssuedToken> {
    return await issueToken(this.#http, userId, options, this.#options.compatibilityMode);
  }

  /**
   * Revokes every token of the user and deletes its session tokens (`DELETE /v1/users/{id}/token`).
   * The cutoff comes from the platform's clock: see docs/revocation.md on clock skew. With
   * `options.idempotencyKey` (see {@link WriteOptions}), a repeat is answered with the first cutoff.
   *
   * @example
   * ```ts
   * const { revokeTokensIssuedBefore } = await client.revokeAllTokens('alice');
   * ```
   */
  async revokeAllTokens(userId: string, options?: WriteOptions): Promise<RevokeAllTokensResult> {
    return await revokeAllTokens(this.#http, this.#clock, userId, options);
  }

  /**
   * Adds a secret to the app (`POST /v1/app/secrets`): `active` at once (tokens signed with it
   * verify), not yet primary. Resolves to its `kid` and value (`secret`), which the platform shows
   * this once: store it, put `{ kid, secret }` in every backend's `apiSecret` keyring, then
   * {@link ServerClient.promoteSecret}. An app holds at most three secrets: with three, the
   * one retired longest ago is forgotten; with none retired, the platform refuses (400, code 4).
   * See docs/secret-rotation.md.
   *
   * @example
   * ```ts
   * const { kid, secret } = await client.addSecret();
   * console.log(kid, secret.length > 0); // sec_... true
   * ```
   */
  async addSecret(options?: WriteOptions): Promise<AddedSecret> {
    return await addSecret(this.#http, options);
  }

  /**
   * Makes a secret the primary (`POST /v1/app/secrets/promote`, the kid in the body): the platform signs what
   * it issues with it and checks tokens without a `kid` against it first; the former primary
   * stays active. A retired secret cannot be promoted (400, code 4). Resolves to every secret.
   *
   * @example
   * ```ts
   * const { kid } = await client.addSecret();
   * const secrets = await client.promoteSecret(kid);
   * console.log(secrets.find((s) => s.kid === kid)?.state); // primary
   * ```
   */
  async promoteSecret(kid: string, options?: WriteOptions): Promise<SecretInfo[]> {
    return await changeSecret(this.#http, 'promote', kid, options);
  }

  /**
   * Retires a secret (`POST /v1/app/secrets/retire`, the kid in the body), for good: every token signed with
   * it, user or server token, is refused from now on with code 44 (revoked), so a `UserClient`
   * fetches a new one from its token provider. The primary cannot be retired (400, code 4):
   * promote another first. Resolves to every secret.
   *
   * @example
   * ```ts
   * const { kid } = await client.addSecret();
   * const secrets = await client.retireSecret(kid);
   * console.log(secrets.find((s) => s.kid === kid)?.state); // retired
   * ```
   */
  async retireSecret(kid: string, options?: WriteOptions): Promise<SecretInfo[]> {
    return await changeSecret(this.#http, 'retire', kid, options);
  }

  /**
   * The app's secrets (`GET /v1/app/secrets`): kid, state and dates, oldest first. Never a value.
   *
   * @example
   * ```ts
   * for (const s of await client.listSecrets()) console.log(s.kid, s.state);
   * ```
   */
  async listSecrets(options?: RequestOptions): Promise<SecretInfo[]> {
    return await listSecrets(this.#http, options);
  }

  /**
   * Bulk work over large lists of user ids (an array or an async iterable): revocation and
   * issuance with bounded concurrency, progress, and an account of every id.
   *
   * @example
   * ```ts
   * const result = await client.bulk.revokeUserTokens(['alice', 'bob']);
   * console.log(result.counts); // { done: 2, failed: 0, skipped: 0 }
   * ```
   */
  get bulk(): BulkOperations {
    return this.#bulk;
  }

  /**
   * What `JSON.stringify(client)` shows: never the secret.
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(client)); // {"apiKey":"...","baseUrl":"http://127.0.0.1:..."}: no secret
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { apiKey: this.#options.apiKey, baseUrl: this.#options.baseUrl };
  }

  /**
   * What `util.inspect(client)` and `console.log(client)` show: never the secret.
   *
   * @example
   * ```ts
   * import { inspect } from 'node:util';
   * console.log(inspect(client)); // ServerClient { apiKey: "...", baseUrl: "..." }: no secret
   * ```
   */
  // Node's inspect.custom (also read by Bun and Deno), named without importing node:util, which
  // an edge runtime has not.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ServerClient { apiKey: ${JSON.stringify(this.#options.apiKey)}, baseUrl: ${JSON.stringify(this.#options.baseUrl)} }`;
  }
}
