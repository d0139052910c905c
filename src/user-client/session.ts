import { ArgumentError, TimeoutError } from '../errors';
import { isHeaderValue } from '../schemas/common';
import type { AuthKind } from '../schemas/client-routes';
import type { User } from '../schemas/users';
import { tokenExpiryMs } from './token-codes';
import { type SessionEnd, disconnectedError } from './transport';

/**
 * Returns a fresh token for the connected user, from your backend's token endpoint.
 *
 * @example
 * ```ts
 * import type { TokenProvider } from 'tokenkit/client';
 * const provider: TokenProvider = async () => {
 *   const res = await fetch('/token', { credentials: 'include' });
 *   if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
 *   return ((await res.json()) as { token: string }).token;
 * };
 * await chat.connectUser({ id: 'alice' }, provider);
 * ```
 */
export type TokenProvider = () => Promise<string>;

/**
 * Who a session is: a user (with or without a token), a guest, or an anonymous connection.
 *
 * @example
 * ```ts
 * import type { SessionKind } from 'tokenkit/client';
 * const kind: SessionKind = chat.userId === undefined ? 'anonymous' : 'user';
 * ```
 */
export type SessionKind = 'user' | 'guest' | 'anonymous';

/** What a wait needs of a session: a way to hear that it ended, and the error to end it with. */
interface Ending extends SessionEnd {
  endError(what: string): unknown;
}

/** Rejects as soon as the session ends (with {@link Session.endError}), else settles as `promise` does. */
export function untilEnded<T>(promise: Promise<T>, session: Ending, what: string): Promise<T> {
  if (session.ended) return Promise.reject(session.endError(what));
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = session.onEnd(() => reject(session.endError(what)));
    promise.then(
      (v) => {
        unsubscribe();
        resolve(v);
      },
      (e: unknown) => {
        unsubscribe();
        reject(e);
      },
    );
  });
}

/** How long one token provider call may take by default (`tokenProviderTimeoutMs`). */
export const DEFAULT_TOKEN_PROVIDER_TIMEOUT_MS = 10_000;

/**
 * The provider's answer, or a {@link TimeoutError} after `ms`: a provider that never answers must
 * not hold every waiting request forever. The timer is cleared as soon as the provider answers.
 */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new TimeoutError(
          `The token provider did not answer within ${ms} ms (tokenProviderTimeoutMs): every request waiting for a token fails; the next request calls the provider again. Check the backend's token endpoint`,
        ),
      );
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * One user's session: its token, provider and connection. A new connect makes a new Session and
 * closes the old one, so nothing of a previous user (token, provider, connection id, waiting
 * requests) carries over. The token is replaced only here, by {@link Session.refresh}.
 */
export class Session implements SessionEnd {
  readonly kind: SessionKind;
  readonly userId: string | undefined;
  /** The connection's id once `POST /v1/connect` answered. */
  connectionId: string | undefined;
  /** How the connection was authenticated. */
  auth: AuthKind | undefined;
  /** The user as the platform last returned it. */
  user: User | undefined;
  /** Settles when the connect finished; requests wait for it. */
  connected: Promise<void> = Promise.resolve();

  readonly #onEnd = new Set<() => void>();
  #ended = false;
  #token: string | undefined;
  #provider: TokenProvider | undefined;
  #attempts = 0;
  #lastFailure: { attempt: number; error: unknown } | undefined;
  #refresh: { promise: Promise<void>; ahead: boolean } | undefined;
  #failure: unknown;
  readonly #aheadMs: number;
  readonly #providerTimeoutMs: number;
  /** When to refresh early (ms), or undefined: no `exp`, no window, or already tried for this token. */
  #earlyAt: number | undefined;

  /**
   * @param aheadMs - the refresh-ahead window (0: off).
   * @param providerTimeoutMs - how long one token provider call may take.
   */
  constructor(
    kind: SessionKind,
    userId: string | undefined,
    token: string | undefined,
    provider: TokenProvider | undefined,
    aheadMs = 0,
    providerTimeoutMs = DEFAULT_TOKEN_PROVIDER_TIMEOUT_MS,
  ) {
    this.kind = kind;
    this.userId = userId;
    this.#provider = provider;
    this.#aheadMs = aheadMs;
    this.#providerTimeoutMs = providerTimeoutMs;
    this.#setToken(token);
  }

  #setToken(token: string | undefined): void {
    this.#token = token;
    this.#earlyAt = undefined;
    if (token === undefined || this.#aheadMs <= 0) return;
    const exp = tokenExpiryMs(token);
    // A token that arrives already inside the window is never refreshed early: the provider
    // gives tokens shorter than the window, and calling it before every request would not help.
    if (exp !== undefined && exp - Date.now() > this.#aheadMs) this.#earlyAt = exp - this.#aheadMs;
  }

  /** Whether the session ended (disconnected, replaced, or its connect failed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Calls `cb` once when the session ends: every wait and request of this session stops. */
  onEnd(cb: () => void): () => void {
    if (this.#ended) {
      cb();
      return () => undefined;
    }
    const once = (): void => cb();
    this.#onEnd.add(once);
    return () => {
      this.#onEnd.delete(once);
    };
  }

  get token(): string | undefined {
    return this.#token;
  }

  /** Counts refresh attempts (started), successful or not. A request notes it when it goes out. */
  get attempts(): number {
    return this.#attempts;
  }

  /**
   * The error of the latest refresh attempt, where it failed and started after the request that
   * noted `seen` went out: that request was refused with the same token, and calling the provider
   * again for it would break the one-call promise (one provider call per refresh, however many requests wait).
   */
  failureSince(seen: number): { error: unknown } | undefined {
    const f = this.#lastFailure;
    return f !== undefined && f.attempt === this.#attempts && f.attempt > seen ? { error: f.error } : undefined;
  }

  /** Sets the provider (before the connect: a guest's provider needs its session). */
  setProvider(provider: TokenProvider): void {
    this.#provider = provider;
  }

  /** Why waits of this session fail once it ended: the failed connect, or the disconnect. */
  endError(what: string): unknown {
    return this.#failure ?? disconnectedError(what);
  }

  get hasProvider(): boolean {
    return this.#provider !== undefined;
  }

  /** The refresh in progress, if any; `ahead` when it is an early refresh (not caused by a refusal). */
  get refreshing(): { promise: Promise<void>; ahead: boolean } | undefined {
    return this.#refresh;
  }

  /**
   * Fetches a new token from the provider: single-flight, so however many requests ask while one
   * is in progress, the provider is called once and they all wait for that call.
   */
  refresh(ahead = false): Promise<void> {
    if (this.#refresh) return this.#refresh.promise;
    const provider = this.#provider;
    if (!provider) return Promise.reject(new ArgumentError('There is no token provider to refresh the token with'));
    this.#attempts += 1;
    const attempt = this.#attempts;
    const promise = untilEnded(
      withTimeout(Promise.resolve().then(() => provider()), this.#providerTimeoutMs),
      this,
      'Fetching a token from the token provider',
    ).then(
      (token: unknown) => {
        if (typeof token !== 'string' || token.length === 0) {
          throw new ArgumentError(`The token provider resolved with ${typeof token === 'string' ? 'an empty string' : typeof token}: expected a token (a non-empty string)`, [
            { path: 'tokenProvider', message: 'must resolve with a non-empty string' },
          ]);
        }
        if (!isHeaderValue(token)) {
          // Never quoted: fetch would throw a TypeError that quotes the whole token (a token never appears in an error).
          throw new ArgumentError('The token provider resolved with a token that holds a control or non-ASCII character: a token is printable ASCII', [
            { path: 'tokenProvider', message: 'must resolve with printable ASCII' },
          ]);
        }
        if (this.#ended) throw disconnectedError('Fetching a token from the token provider');
        this.#setToken(token);
      })
      .then(undefined, (error: unknown) => {
        this.#lastFailure = { attempt, error };
        throw error;
      });
    const entry = { promise, ahead };
    this.#refresh = entry;
    const clear = (): void => {
      if (this.#refresh === entry) this.#refresh = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * Whether a request should first refresh early: there is a provider, no refresh in progress,
   * and the token has entered the refresh-ahead window. Once per token: a failed early refresh
   * leaves the token in use until the platform refuses it.
   */
  wantsEarlyRefresh(nowMs: number): boolean {
    if (!this.#provider || this.#refresh || this.#earlyAt === undefined || nowMs < this.#earlyAt) return false;
    this.#earlyAt = undefined;
    return true;
  }

  /**
   * Ends the session: forgets the token, provider and connection, and cancels what waits (with
   * `failure` where the connect failed, so that requests waiting for it fail the same way).
   */
  close(failure?: unknown): void {
    if (failure !== undefined && this.#failure === undefined) this.#failure = failure;
    this.#setToken(undefined);
    this.#provider = undefined;
    this.connectionId = undefined;
    this.user = undefined;
    if (this.#ended) return;
    this.#ended = true;
    const callbacks = [...this.#onEnd];
    this.#onEnd.clear();
    for (const cb of callbacks) cb();
  }
}
