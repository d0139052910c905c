import { z } from 'zod';
import { ApiError, ArgumentError, TokenError } from '../errors';
import { apiErrorFrom, decodeResponse } from '../http/response';
import { type connectResponseSchema, updateMeRequestSchema } from '../schemas/client-routes';
import { isHeaderValue, refuseProtoKeys } from '../schemas/common';
import { argumentError, validateUserId } from '../schemas/validate';
import { type Endpoint, clientEndpoints, endpointPath } from '../schemas/endpoints';
import type { User } from '../schemas/users';
import { faultHint, isRefreshCode, wrongUserHint } from './token-codes';
import { type ResolvedUserClientOptions, type UserClientOptions, resolveUserClientOptions } from './options';
import { Session, type SessionKind, type TokenProvider, untilEnded } from './session';
import { type AttemptResult, sendAttempt } from './transport';

/**
 * What `updateMe` takes: fields to set (name, custom fields) and fields to remove.
 *
 * @example
 * ```ts
 * import type { UpdateMeInput } from 'tokenkit/client';
 * await chat.connectUser({ id: 'alice' }, token);
 * const change: UpdateMeInput = { set: { name: 'Alice A.' }, unset: ['nickname'] };
 * const me = await chat.updateMe(change);
 * ```
 */
export interface UpdateMeInput {
  /** Fields to write on your own record: `name` and custom fields (not `id`, `role` or the platform's fields). */
  set?: Record<string, unknown> | undefined;
  /** Custom fields (or `name`) to remove. */
  unset?: string[] | undefined;
}

/**
 * What `connectUser`, `setGuestUser` and `connectAnonymousUser` resolve with: the platform's answer to the connect.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { ConnectResult } from 'tokenkit/client';
 * const connected: ConnectResult = await chat.connectUser({ id: 'alice' }, token);
 * console.log(connected.auth, connected.user?.id, typeof connected.connection_id); // jwt alice string
 * ```
 */
export type ConnectResult = z.output<typeof connectResponseSchema>;

/**
 * A client of the platform's client routes, for your users' apps (browsers included: it holds no
 * secret and loads no Node-only module). It follows the platform's refresh flow: when the
 * platform refuses the token as expired (40) or revoked (44) and there is a token provider, new
 * requests wait, the provider is called once however many requests are waiting, and the waiting
 * requests are sent again with the new token. A new token refused again is an error, never a loop.
 *
 * @example
 * ```ts
 * import { UserClient } from 'tokenkit/client';
 * const chat = new UserClient({ apiKey: 'my-key', baseUrl: 'http://127.0.0.1:8787' });
 * await chat.connectUser({ id: 'alice' }, async () => {
 *   const res = await fetch('/token', { credentials: 'include' });
 *   return ((await res.json()) as { token: string }).token;
 * });
 * const bob = await chat.getUser('bob');
 * ```
 */
export class UserClient {
  readonly #options: ResolvedUserClientOptions;
  #session: Session | undefined;

  /** @throws {@link ConfigError} where an option is missing, unknown or of the wrong type. */
  constructor(options: UserClientOptions) {
    this.#options = resolveUserClientOptions(options);
  }

  /**
   * The connected user's id (undefined when anonymous or disconnected).
   *
   * @example
   * ```ts
   * await chat.connectUser({ id: 'alice' }, token);
   * console.log(chat.userId); // alice
   * ```
   */
  get userId(): string | undefined {
    return this.#session?.userId;
  }

  /**
   * How the current connection was authenticated (`jwt`, `session`, `none`, `anonymous`, ...), once connected.
   *
   * @example
   * ```ts
   * await chat.connectAnonymousUser();
   * console.log(chat.auth); // anonymous
   * ```
   */
  get auth(): ConnectResult['auth'] | undefined {
    return this.#session?.auth;
  }

  /**
   * Connects a user. `tokenOrProvider` is a token, a provider (`() => Promise<string>`, called
   * now and again whenever the platform refuses the token as expired or revoked), or `null` to
   * connect without a token where the app allows it. Any previous user is disconnected first.
   *
   * @example
   * ```ts
   * await chat.connectUser({ id: 'alice' }, () => fetchTokenFromMyBackend());
   * ```
   */
  async connectUser(user: { id: string }, tokenOrProvider: string | TokenProvider | null): Promise<ConnectResult> {
    if (typeof user !== 'object' || user === null) throw argumentError('user', 'expected { id }');
    const id = validateUserId(user.id, 'user.id');
    const t: unknown = tokenOrProvider;
    if (t === undefined || (t !== null && typeof t !== 'string' && typeof t !== 'function') || t === '') {
      throw argumentError('tokenOrProvider', 'expected a token, a token provider () => Promise<string>, or null to connect without a token');
    }
    if (typeof t === 'string' && !isHeaderValue(t)) {
      // Refused here, unquoted: fetch would throw a TypeError that quotes the whole token (a token never appears in an error).
      throw argumentError('tokenOrProvider', 'the token holds a control or non-ASCII character: a token is printable ASCII');
    }
    const provider = typeof t === 'function' ? (t as TokenProvider) : undefined;
    const session = this.#open('user', id, typeof t === 'string' ? t : undefined, provider);
    return this.#connect(session, { user_id: id }, provider !== undefined);
  }

  /**
   * Connects as a guest: the platform creates (or finds) a guest user and gives it a token, valid
   * 24 hours. When it expires, the client asks the platform for a new guest token by itself.
   *
   * @example
   * ```ts
   * await chat.setGuestUser({ id: 'visitor-42', name: 'Visitor' });
   * ```
   */
  async setGuestUser(user: { id: string; name?: string }): Promise<ConnectResult> {
    if (typeof user !== 'object' || user === null) throw argumentError('user', 'expected { id, name? }');
    const body = z.safeEncode(clientEndpoints.guest.request, { user: { ...user } });
    if (!body.success) throw ArgumentError.fromZod('guest user', body.error);
    const guestBody = body.data;
    const session = this.#open('guest', guestBody.user.id, undefined, undefined);
    // The guest's provider is the platform's guest route: an existing guest gets a fresh token.
    const provider: TokenProvider = async () => {
      const res = await this.#call(session, clientEndpoints.guest, {}, guestBody, { tokenless: true });
      return res.access_token;
    };
    session.setProvider(provider);
    return this.#connect(session, { user_id: guestBody.user.id }, true);
  }

  /**
   * Connects anonymously: no user, read-only (the platform refuses writes with 17).
   *
   * @example
   * ```ts
   * await chat.connectAnonymousUser();
   * ```
   */
  async connectAnonymousUser(): Promise<ConnectResult> {
    const session = this.#open('anonymous', undefined, undefined, undefined);
    return this.#connect(session, { anonymous: true }, false);
  }

  /**
   * Disconnects: forgets the token, the provider and the connection, and rejects every request
   * still waiting or in flight with an `AbortError`. Safe to call when not connected.
   *
   * @example
   * ```ts
   * await chat.disconnectUser();
   * ```
   */
  async disconnectUser(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    session?.close();
  }

  /**
   * Reads a user (any user may read users, anonymous connections included).
   *
   * @example
   * ```ts
   * const { name } = await chat.getUser('bob');
   * ```
   */
  async getUser(id: string): Promise<User> {
    const userId = validateUserId(id, 'id');
    const session = this.#current();
    return (await this.#call(session, clientEndpoints.getUser, { id: userId }, undefined)).user;
  }

  /**
   * Updates the connected user's own record: `set` name and custom fields, `unset` custom fields.
   * Fields the platform owns (`role`, `revoke_tokens_issued_before`, ...) are refused locally.
   *
   * @example
   * ```ts
   * const me = await chat.updateMe({ set: { name: 'Alice', color: 'teal' }, unset: ['nickname'] });
   * ```
   */
  async updateMe(input: UpdateMeInput): Promise<User> {
    refuseProtoKeys(input, 'updateMe input');
    const body = z.safeEncode(updateMeRequestSchema, input as z.output<typeof updateMeRequestSchema>);
    if (!body.success) throw ArgumentError.fromZod('updateMe input', body.error);
    const session = this.#current();
    const { user } = await this.#call(session, clientEndpoints.updateMe, {}, body.data);
    session.user = user;
    return user;
  }

  /**
   * What `JSON.stringify(chat)` shows: never a token.
   *
   * @example
   * ```ts
   * await chat.connectUser({ id: 'alice' }, token);
   * console.log(JSON.stringify(chat)); // {"baseUrl":"...","userId":"alice"}: never the token
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.#options.baseUrl, userId: this.userId };
  }

  #open(kind: SessionKind, userId: string | undefined, token: string | undefined, provider: TokenProvider | undefined): Session {
    this.#session?.close();
    const session = new Session(kind, userId, token, provider, this.#options.refreshAheadMs, this.#options.tokenProviderTimeoutMs);
    this.#session = session;
    return session;
  }

  #current(): Session {
    const session = this.#session;
    if (!session) {
      throw new TokenError(45, 'Not connected: call connectUser(), setGuestUser() or connectAnonymousUser() first');
    }
    return session;
  }

  async #connect(session: Session, body: z.output<typeof clientEndpoints.connect.request>, fetchToken: boolean): Promise<ConnectResult> {
    const run = async (): Promise<ConnectResult> => {
      if (fetchToken) await session.refresh();
      const result = await this.#call(session, clientEndpoints.connect, {}, body, { connecting: true });
      session.connectionId = result.connection_id;
      session.auth = result.auth;
      session.user = result.user;
      return result;
    };
    const done = run();
    session.connected = done.then(() => undefined);
    // A failed connect ends the session: nothing of it stays, and requests that waited fail with
    // the connect's error.
    done.catch((err: unknown) => {
      if (this.#session === session) this.#session = undefined;
      session.close(err);
    });
    session.connected.catch(() => undefined);
    return done;
  }

  /** Waits for the connect and for a refresh in progress; starts an early refresh when due. */
  async #ready(session: Session, what: string, connecting: boolean): Promise<void> {
    if (!connecting) await untilEnded(session.connected, session, what);
    if (!connecting && session.wantsEarlyRefresh(Date.now())) {
      session.refresh(true).catch(() => undefined);
    }
    const pending = session.refreshing;
    if (pending) {
      // New requests pause while the token is being replaced. A failed early refresh is not
      // fatal (the current token is still valid); a failed refresh after a refusal is.
      await untilEnded(pending.ahead ? pending.promise.catch(() => undefined) : pending.promise, session, what);
    }
  }

  async #call<E extends Endpoint>(
    session: Session,
    endpoint: E,
    params: { id?: string },
    body: unknown,
    flags: { connecting?: boolean; tokenless?: boolean } = {},
  ): Promise<z.output<E['response']>> {
    const path = endpointPath(endpoint, params);
    const what = `${endpoint.method} ${path}`;
    const send = (): Promise<AttemptResult> =>
      sendAttempt(this.#options, {
        method: endpoint.method,
        path,
        body,
        token: flags.tokenless ? undefined : session.token,
        connectionId: flags.connecting || flags.tokenless ? undefined : session.connectionId,
        session,
      });

    if (!flags.tokenless) await this.#ready(session, what, flags.connecting === true);
    const seen = session.attempts;
    let result = await send();
    if (result.res.ok) return decodeResponse<E['response']>(endpoint.response, result.res, result.text, result.ctx);
    let error = apiErrorFrom(result.res, result.text, result.ctx);
    if (flags.tokenless || !isRefreshCode(error.code) || !session.hasProvider) throw this.#explain(result, error, session.token);

    // Refused as expired or revoked: one provider call for every request refused with this token.
    // Join the refresh in progress; else start one, unless one was tried since this request went
    // out: then send again with the token it gave, or fail with its error.
    const pending = session.refreshing;
    if (pending) await untilEnded(pending.promise, session, what);
    else if (session.attempts === seen) await untilEnded(session.refresh(), session, what);
    else {
      const failed = session.failureSince(seen);
      if (failed) throw failed.error;
    }
    result = await send();
    if (result.res.ok) return decodeResponse<E['response']>(endpoint.response, result.res, result.text, result.ctx);
    error = apiErrorFrom(result.res, result.text, result.ctx);
    if (isRefreshCode(error.code)) {
      throw apiErrorFrom(result.res, result.text, result.ctx, '. Refused again with a token the provider has just given: not refreshing a second time (check what your token endpoint returns)');
    }
    throw this.#explain(result, error, session.token);
  }

  /** Adds what to check to the codes a new token would not fix (clock and signing faults). */
  #explain(result: AttemptResult, error: ApiError, token: string | undefined): ApiError {
    const hint = error.code === 46 ? wrongUserHint(token) : faultHint(error.code);
    return hint === undefined ? error : apiErrorFrom(result.res, result.text, result.ctx, `. This is ${hint}`);
  }
}
