import { z } from 'zod';
import { ApiError, ArgumentError, ConfigError, ConnectionError, TimeoutError, type TokenkitError } from '../errors';
import type { FetchLike, RequestLogRecord, ResolvedOptions } from '../options';
import { platformCode } from '../schemas/codes';
import { IDEMPOTENCY_KEY_PATTERN, idempotencyKeySchema, refuseProtoKeys } from '../schemas/common';
import { MAX_TIMEOUT_MS, parseArgument, requestOptionsSchema, validateUserId } from '../schemas/validate';
import { type Endpoint, endpointPath } from '../schemas/endpoints';
import { runtime } from '../runtime';
import type { KeySet } from '../tokens/keyring';
import { mintServerToken, SERVER_TOKEN_MAX_SECONDS } from '../tokens/mint';
import { resolveDispatcher, userAgent } from './environment';
import type { ResponseReader } from './decoders';
import { apiErrorFrom, decodeResponse, readResponse, type ResponseContext } from './response';
import { type AttemptFailure, decideRetry } from './retry';
import { DispatchAbort, isDispatcher } from './dispatch-abort';
import { abortErrorFor, sleep } from './sleep';

/** The body type an endpoint takes, in code (Dates, not wire strings). */
export type BodyOf<E extends Endpoint> = E['request'] extends z.ZodType ? z.output<E['request']> : undefined;
/** The response type an endpoint answers, decoded (Dates). */
export type ResponseOf<E extends Endpoint> = z.output<E['response']>;

/**
 * Per-request options every admin method takes.
 *
 * @example
 * ```ts
 * import type { RequestOptions } from 'tokenkit';
 * const options: RequestOptions = { timeoutMs: 2000, signal: AbortSignal.timeout(10_000) };
 * const fetched = await client.getUser('alice', options);
 * ```
 */
export interface RequestOptions {
  /** Cancels the request, and any wait between its attempts, with an `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds each attempt may take (default: the client's `timeoutMs`). */
  timeoutMs?: number | undefined;
}

/**
 * The per-call options of the admin methods that send one write: those of every request, and the
 * `Idempotency-Key` to send. Without a key, each call sends a fresh UUID (the same on every retry
 * of that call). With one, calls that reuse it are the same request to the platform: give the
 * same key only with the same arguments (the same bytes), and the platform answers a repeat
 * within its replay window (10 minutes) with the first answer, applying nothing twice. A key
 * reused with other arguments is refused (400, code 4).
 *
 * @example
 * ```ts
 * // A job that may run twice (a crash, a redelivered message) issues one token, not two:
 * const jobId = 'welcome-alice-2026-01-01';
 * const first = await client.issueToken('alice', { idempotencyKey: `issue:${jobId}` });
 * const again = await client.issueToken('alice', { idempotencyKey: `issue:${jobId}` });
 * console.log(again.token === first.token); // true: the platform replayed its answer
 * ```
 */
export interface WriteOptions extends RequestOptions {
  /**
   * The `Idempotency-Key` of the request: 1 to 255 printable ASCII characters without spaces
   * (`\x21`-`\x7e`). Default: a fresh UUID per call. Refused where the call sends more than one
   * request (over 100 users): each request needs a key of its own.
   */
  idempotencyKey?: string | undefined;
}

/** What {@link Transport.call} takes. */
export interface CallInput<E extends Endpoint> extends RequestOptions {
  /** Fills `:id` in the path; validated as a user id. */
  params?: { id?: string } | undefined;
  /** The body, in code (Dates); validated and encoded with the endpoint's request schema. */
  body?: BodyOf<E> | undefined;
  /** The `Idempotency-Key` to send (default: a fresh UUID for every request with a body). */
  idempotencyKey?: string | undefined;
  /** The query string's parameters, for an endpoint with a `query` schema (validated with it). */
  query?: Record<string, string> | undefined;
}

/** A request validated and encoded, ready to send: the same bytes and key on every attempt. */
export interface PreparedRequest<E extends Endpoint = Endpoint> {
  readonly endpoint: E;
  readonly path: string;
  readonly bodyText: string | undefined;
  readonly idempotencyKey: string | undefined;
  /** The query string, with its `?`, or `''`; not part of `path` (errors and logs show the path only). */
  readonly search?: string | undefined;
}

/** Test hooks: the environment (for the proxy variables) and the jitter. */
export interface TransportDeps {
  env?: Readonly<Record<string, string | undefined>> | undefined;
  random?: (() => number) | undefined;
}

type FetchInit = NonNullable<Parameters<FetchLike>[1]>;
/** How an attempt ended: an answer (its body read), or a failure of fetch or of reading the body. */
type Outcome = { res: Response; text: string } | { error: true; err: unknown; timedOut: boolean };

const RENEW_BEFORE_MS = 60_000;


/** Validates the per-request options; an {@link ArgumentError} names the field. */
export function validateRequestOptions(options: unknown, what = 'request options'): RequestOptions {
  if (options === undefined) return {}; // the common case, without a schema pass (bench/request-cost.ts)
  return plainOptions(options, false) ?? parseArgument(requestOptionsSchema, options, what);
}

const writeOptionsSchema = requestOptionsSchema.extend({ idempotencyKey: idempotencyKeySchema.optional() });

/** Validates the options of a single-request write (`idempotencyKey` too); an {@link ArgumentError} names the field. */
export function validateWriteOptions(options: unknown, what = 'request options'): WriteOptions {
  if (options === undefined) return {};
  return plainOptions(options, true) ?? parseArgument(writeOptionsSchema, options, what);
}

/**
 * Options that pass the schema's rules, copied as its parse copies them (the keys given, in the
 * schema's order), without a zod pass; undefined for anything else, which the schema then checks
 * (and names). A batch run's every write comes with an `idempotencyKey`.
 */
function plainOptions(options: unknown, write: boolean): WriteOptions | undefined {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return undefined;
  const o = options as Record<string, unknown>;
  for (const key in o) if (key !== 'signal' && key !== 'timeoutMs' && !(write && key === 'idempotencyKey')) return undefined;
  const out: WriteOptions = {};
  if ('signal' in o) {
    if (o['signal'] !== undefined && !(o['signal'] instanceof AbortSignal)) return undefined;
    out.signal = o['signal'] as AbortSignal | undefined;
  }
  if ('timeoutMs' in o) {
    const t = o['timeoutMs'];
    if (t !== undefined && !(typeof t === 'number' && Number.isSafeInteger(t) && t > 0 && t <= MAX_TIMEOUT_MS)) return undefined;
    out.timeoutMs = t as number | undefined;
  }
  if ('idempotencyKey' in o) {
    const key = o['idempotencyKey'];
    if (key !== undefined && !(typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key))) return undefined;
    out.idempotencyKey = key as string | undefined;
  }
  return out;
}

/**
 * What made fetch fail, for the error's message: the system code (`ECONNREFUSED`, on fetch's
 * cause, or on the error itself where a mock's fetch rejects with it), else the cause's message (undici's "bad port" under fetch's "fetch failed"), else fetch's own. Read from
 * the properties, not by `instanceof Error`: fetch's errors may come from another realm (a vm
 * context, jest's test sandbox), where they said "unknown error".
 */
function failureOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } } | null | undefined;
  const cause = e?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? e?.code;
  if (typeof code === 'string') return code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return typeof e?.message === 'string' && e.message !== '' ? e.message : 'unknown error';
}

/**
 * One `call(endpoint, input)` over the route table: validates and encodes the body (before any
 * network call), sends it with `fetch`, retries by {@link decideRetry}, decodes the answer with
 * the endpoint's response schema, and turns failures into tokenkit's errors.
 */
export class Transport {
  readonly #key: KeySet;
  readonly #options: ResolvedOptions;
  readonly #customFetch: FetchLike | undefined;
  /** The fetch function last seen sending through an attempt's dispatcher (see #attempt). */
  #dispatchingFetch: FetchLike | undefined;
  readonly #dispatcher: object | undefined;
  readonly #userAgent = userAgent();
  readonly #random: (() => number) | undefined;
  #serverToken: { header: string; expMs: number } | undefined;

  constructor(key: KeySet, options: ResolvedOptions, deps: TransportDeps = {}) {
    this.#key = key;
    this.#options = options;
    this.#customFetch = options.fetch;
    this.#dispatcher = resolveDispatcher(options.dispatcher, deps.env ?? runtime.env());
    this.#random = deps.random;
  }

  /** Validates and encodes a request (throws an {@link ArgumentError}); nothing is sent. */
  prepare<E extends Endpoint>(endpoint: E, input: Pick<CallInput<E>, 'params' | 'body' | 'idempotencyKey' | 'query'> = {}, what = 'request body'): PreparedRequest<E> {
    const path = endpoint.path.includes(':id') ? endpointPath(endpoint, { id: validateUserId(input.params?.id) }) : endpoint.path;
    let wire: unknown;
    if (endpoint.request !== undefined) {
      refuseProtoKeys(input.body, what);
      const encoded = z.safeEncode(endpoint.request, input.body);
      if (!encoded.success) throw ArgumentError.fromZod(what, encoded.error);
      wire = encoded.data;
    } else if (input.body !== undefined) {
      throw new ArgumentError(`${endpoint.method} ${endpoint.path} takes no body`, [{ path: 'body', message: 'this route takes no body' }]);
    }
    const prepared = this.prepareEncoded(endpoint, path, wire, input.idempotencyKey);
    if (input.query === undefined) return prepared;
    if (endpoint.query === undefined) throw new ArgumentError(`${endpoint.method} ${endpoint.path} takes no query`, [{ path: 'query', message: 'this route takes no query' }]);
    const checked = endpoint.query.safeParse(input.query);
    if (!checked.success) throw ArgumentError.fromZod(what, checked.error);
    const search = new URLSearchParams(input.query).toString();
    return { ...prepared, search: search ? `?${search}` : '' };
  }

  /** A request whose body is already in wire form (validated by the caller). */
  prepareEncoded<E extends Endpoint>(endpoint: E, path: string, wire: unknown, idempotencyKey?: string): PreparedRequest<E> {
    const bodyText = wire === undefined ? undefined : JSON.stringify(wire);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) parseArgument(idempotencyKeySchema, idempotencyKey, 'idempotencyKey', { prefix: 'idempotencyKey' });
    // Fixed here, before the first attempt: every retry sends the same bytes and the same key,
    // so the platform applies a retried write once (as stripe does). A request
    // without a body gets no key of its own, but carries the caller's where one is given.
    return { endpoint, path, bodyText, idempotencyKey: idempotencyKey ?? (bodyText === undefined ? undefined : runtime.randomId()) };
  }

  /** Validates, sends and decodes. Rejects (never throws) with a tokenkit error. */
  async call<E extends Endpoint>(endpoint: E, input: CallInput<E> = {}): Promise<ResponseOf<E>> {
    const prepared = this.prepare(endpoint, input);
    return await this.send(prepared, input);
  }

  /** The `Authorization` header: the server token, minted again when less than 60 s of it remain. */
  #authorization(): string {
    const now = Date.now();
    if (this.#serverToken === undefined || this.#serverToken.expMs - now < RENEW_BEFORE_MS) {
      const iatS = Math.floor(now / 1000);
      this.#serverToken = { header: `Bearer ${mintServerToken(this.#key, now)}`, expMs: (iatS + SERVER_TOKEN_MAX_SECONDS) * 1000 };
    }
    return this.#serverToken.header;
  }

  #headers(prepared: PreparedRequest): Record<string, string> {
    const headers: Record<string, string> = {
      'Api-Key': this.#options.apiKey,
      Authorization: this.#authorization(),
      'User-Agent': this.#userAgent,
      Accept: 'application/json',
    };
    if (prepared.bodyText !== undefined) headers['Content-Type'] = 'application/json';
    if (prepared.idempotencyKey !== undefined) headers['Idempotency-Key'] = prepared.idempotencyKey;
    return headers;
  }

  #log(record: RequestLogRecord): void {
    const logger = this.#options.logger;
    if (!logger) return;
    try {
      logger(record);
    } catch {
      // A failing logger must not fail the request it logs.
    }
  }

  /**
   * One attempt, ended by its timer or the caller's signal, and released before the caller decides
   * on a retry (no listener or timer outlives it). Where the fetch at hand has been seen to send
   * through the attempt's dispatcher (undici's fetch: see dispatch-abort.ts), the timer ends the
   * request through that dispatcher, and so does the caller's signal: fetch is given no signal.
   * Elsewhere (a fetch of another runtime, nock's, a mock), the attempt gets an AbortController
   * fed by the caller's signal and the timer. Not AbortSignal.timeout: its timer cannot be
   * cleared, and jest's fake timers cannot drive it.
   */
  #attempt(url: string, prepared: PreparedRequest, headers: Record<string, string>, signal: AbortSignal | undefined, timeoutMs: number): Promise<Outcome> {
    const fetchFn = this.#customFetch ?? (globalThis.fetch as FetchLike);
    const inner = this.#dispatcher ?? runtime.globalDispatcher();
    const through = isDispatcher(inner) ? new DispatchAbort(inner) : undefined;
    // Redirects are not followed: fetch would drop Authorization on another origin but still
    // send Api-Key there. A 3xx is reported instead (see send).
    const init: FetchInit = { method: prepared.endpoint.method, headers, redirect: 'manual' };
    if (prepared.bodyText !== undefined) init.body = prepared.bodyText;
    // Checked as an object by the options; undici checks the rest when it dispatches.
    if (through !== undefined) init.dispatcher = through as unknown as FetchInit['dispatcher'];
    else if (this.#dispatcher !== undefined) init.dispatcher = this.#dispatcher as FetchInit['dispatcher'];
    if (through !== undefined && fetchFn === this.#dispatchingFetch) return this.#attemptThrough(fetchFn, url, init, through, signal, timeoutMs);
    return this.#attemptWithController(fetchFn, url, init, through, signal, timeoutMs);
  }

  #attemptThrough(fetchFn: FetchLike, url: string, init: FetchInit, through: DispatchAbort, signal: AbortSignal | undefined, timeoutMs: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      // The caller's signal is not given to fetch: undici would link each request to it (a
      // listener on it that stays until the garbage collector has collected the request, a
      // WeakRef, a FinalizationRegistry entry). A bulk run hands one signal to thousands of
      // requests; its listeners piled up, and each request copied the list to count it. It ends
      // the attempt here instead, as the timer does, and is let go when the attempt ends.
      // Every way out lets go of the timer and the listener first.
      const settle = (outcome: Outcome): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const end = (err: unknown, timedOut: boolean): void => settle({ error: true, err, timedOut });
      const onAbort = (): void => {
        const reason = signal!.reason as unknown;
        // Ends the request now, or as soon as it has a connection; the attempt ends now either way.
        through.abort(reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError'));
        end(reason, false);
      };
      const timer = setTimeout(() => {
        const reason = new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError');
        through.abort(reason);
        end(reason, true);
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const failed = (err: unknown): void => end(err, false);
      let sent: Promise<Response>;
      try {
        sent = fetchFn(url, init);
      } catch (err) {
        failed(err); // a fetch that throws instead of rejecting
        return;
      }
      sent.then((res) => {
        res.text().then((text) => settle({ res, text }), failed);
      }, failed);
    });
  }

  async #attemptWithController(
    fetchFn: FetchLike,
    url: string,
    init: FetchInit,
    through: DispatchAbort | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    try {
      init.signal = controller.signal;
      const res = await fetchFn(url, init);
      const text = await res.text();
      // This fetch sent through the attempt's dispatcher: the next attempts need no controller.
      if (through?.dispatched) this.#dispatchingFetch = fetchFn;
      return { res, text };
    } catch (err) {
      return { error: true, err, timedOut };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Sends a prepared request, with retries; resolves to the decoded response, or, given `read`, to
   * what `read` takes from the answer (only what the caller uses: see {@link ResponseReader}).
   */
  async send<E extends Endpoint>(prepared: PreparedRequest<E>, options?: RequestOptions): Promise<ResponseOf<E>>;
  async send<E extends Endpoint, T>(prepared: PreparedRequest<E>, options: RequestOptions | undefined, read: ResponseReader<T>): Promise<T>;
  async send<E extends Endpoint, T>(prepared: PreparedRequest<E>, options: RequestOptions = {}, read?: ResponseReader<T>): Promise<ResponseOf<E> | T> {
    const baseUrl = this.#options.baseUrl;
    if (baseUrl === undefined) {
      throw new ConfigError('ServerClient needs the platform URL for HTTP calls: pass { baseUrl } or set TOKENKIT_BASE_URL', [
        { path: 'baseUrl', message: 'needed for HTTP calls' },
      ]);
    }
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const url = baseUrl + prepared.path + (prepared.search ?? '');
    // The success path only; every other outcome is #afterFailure's. V8 optimizes a function once
    // it has run often enough for its size, so a short one here is optimized early.
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortErrorFor(signal, `${prepared.endpoint.method} ${prepared.path}`);
      const headers = this.#headers(prepared);
      const started = performance.now();
      const outcome = await this.#attempt(url, prepared, headers, signal, timeoutMs);
      if (!('error' in outcome) && outcome.res.ok) {
        const { res, text } = outcome;
        const ctx: ResponseContext = { method: prepared.endpoint.method, path: prepared.path, headers };
        // The log record only where there is a logger: a success needs nothing else of the answer's headers.
        if (this.#options.logger) this.#log({ method: ctx.method, path: ctx.path, status: res.status, ms: performance.now() - started, attempt, requestId: res.headers.get('x-request-id') ?? undefined });
        return read === undefined ? decodeResponse<E['response']>(prepared.endpoint.response, res, text, ctx) : readResponse(read, res, text, ctx);
      }
      const delayMs = this.#afterFailure(outcome, { prepared, headers, baseUrl, signal, timeoutMs, attempt, started });
      await sleep(delayMs, signal, `${prepared.endpoint.method} ${prepared.path} (waiting to retry)`);
    }
  }

  /**
   * An attempt that failed (fetch or the body's reading failed, or the platform answered other
   * than 2xx): logs it, and answers the wait before the next attempt, or throws the error to
   * reject with (tokenkit's, saying what failed and how often).
   */
  #afterFailure(
    outcome: Outcome,
    a: { prepared: PreparedRequest; headers: Record<string, string>; baseUrl: string; signal: AbortSignal | undefined; timeoutMs: number; attempt: number; started: number },
  ): number {
    const { prepared, headers, baseUrl, signal, timeoutMs, attempt } = a;
    const method = prepared.endpoint.method;
    const what = `${method} ${prepared.path}`;
    if ('error' in outcome) {
      const { err, timedOut } = outcome;
      let error: TokenkitError;
      if (signal?.aborted) {
        error = abortErrorFor(signal, what);
      } else if (timedOut || (err as { name?: unknown } | null)?.name === 'TimeoutError') {
        error = new TimeoutError(`${what} timed out after ${timeoutMs} ms (attempt ${attempt})`, { cause: err });
      } else {
        error = new ConnectionError(`Could not reach the platform at ${new URL(baseUrl).origin} (${failureOf(err)}): ${what}, attempt ${attempt}`, { cause: err });
      }
      const record: RequestLogRecord = { method, path: prepared.path, status: undefined, ms: performance.now() - a.started, attempt, requestId: undefined, error: error.name };
      if (error.name === 'AbortError') {
        this.#log(record);
        throw error;
      }
      const failure: AttemptFailure = error instanceof TimeoutError ? 'timeout' : 'connection';
      const decision = decideRetry({ attempt, maxRetries: this.#options.maxRetries, failure, maxRetryAfterSeconds: this.#options.maxRetryAfterSeconds, random: this.#random });
      this.#log(decision.retry ? { ...record, retryInMs: decision.delayMs, maxAttempts: this.#options.maxRetries + 1 } : record);
      if (!decision.retry) throw error;
      return decision.delayMs;
    }
    const { res, text } = outcome;
    const ms = performance.now() - a.started;
    const ctx: ResponseContext = { method, path: prepared.path, headers };
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const record: RequestLogRecord = { method, path: prepared.path, status: res.status, ms, attempt, requestId };
    if (res.status >= 300 && res.status < 400) {
      this.#log(record);
      const location = res.headers.get('location');
      throw new ApiError({
        status: res.status,
        code: 'ERR_REDIRECT',
        message:
          `The platform answered a redirect (HTTP ${res.status}${location ? ` to ${location.split('?')[0]}` : ''}). ` +
          'tokenkit does not follow redirects, which would send the API key to another address: set baseUrl to the final URL',
        requestId,
        method,
        path: prepared.path,
        headers,
      });
    }

    const retryAfterHeader = res.headers.get('retry-after');
    const decision = decideRetry({
      attempt,
      maxRetries: this.#options.maxRetries,
      status: res.status,
      retryAfterHeader,
      maxRetryAfterSeconds: this.#options.maxRetryAfterSeconds,
      random: this.#random,
    });
    this.#log(decision.retry ? { ...record, retryInMs: decision.delayMs, maxAttempts: this.#options.maxRetries + 1 } : record);
    if (decision.retry) return decision.delayMs;
    let note = '';
    if (decision.reason === 'retry-after-too-long') {
      note = ` [not retried: Retry-After is ${decision.retryAfterSeconds} s, more than maxRetryAfterSeconds (${this.#options.maxRetryAfterSeconds} s)]`;
    } else if (decision.reason === 'exhausted' && attempt > 1) {
      note = ` [after ${attempt} attempts]`;
    }
    const error = apiErrorFrom(res, text, ctx, note);
    // A 401 on an admin route is about this client's own configuration: the server token and the
    // API key come from its options, so the code table's admin hint says what to check there.
    const hint = res.status === 401 ? platformCode(error.code)?.adminHint : undefined;
    throw hint === undefined ? error : apiErrorFrom(res, text, ctx, `${note}. ${hint}`);
  }
}
