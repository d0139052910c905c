import type { z } from 'zod';
import { TOKEN_CODES, type TokenCode } from './schemas/codes';

/**
 * Platform error codes that a token check can end in (contract: "Error body"): 40 to 46, the
 * entries of the platform's code table marked `token` (docs/errors.md lists what each means).
 *
 * - 40: token expired (`exp` passed)
 * - 41: token not valid yet (`nbf` in the future beyond the clock tolerance)
 * - 42: token issued in the future (`iat` beyond the clock tolerance)
 * - 43: token malformed, wrong algorithm, or bad signature
 * - 44: token revoked
 * - 45: token required
 * - 46: token belongs to another user
 *
 * @example
 * ```ts
 * import { TokenError, type TokenErrorCode } from 'tokenkit';
 * const refused = await client.verifyUserToken(token, { userId: 'bob' }).catch((err: unknown) => err);
 * if (refused instanceof TokenError) {
 *   const code: TokenErrorCode = refused.code;
 *   console.log(code); // 46: another user's token
 * }
 * ```
 *
 * @useDeclaredType
 */
export type TokenErrorCode = TokenCode;

/**
 * Codes of the errors that tokenkit raises itself, apart from the platform's numeric codes.
 *
 * @example
 * ```ts
 * import { TokenkitError, type LocalErrorCode } from 'tokenkit';
 * const retryable: LocalErrorCode[] = ['ERR_TIMEOUT', 'ERR_CONNECTION'];
 * const failed = await client.getApp().catch((err: unknown) => err);
 * if (failed instanceof TokenkitError && typeof failed.code === 'string' && retryable.includes(failed.code)) console.log('try again later');
 * ```
 */
export type LocalErrorCode =
  | 'ERR_ARGUMENT'
  | 'ERR_CONFIG'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_CONNECTION'
  | 'ERR_RESPONSE_SHAPE'
  | ApiLocalCode;

/**
 * The codes of an {@link ApiError} that did not come from the platform's error body:
 *
 * - `ERR_REDIRECT`: the platform answered a redirect (3xx), which tokenkit does not follow (it would
 *   send the API key to another address): set `baseUrl` to the final URL.
 * - `ERR_NOT_PLATFORM_BODY`: a non-2xx answer whose body is not the platform's error shape (a
 *   proxy's HTML page, say); `status` is the HTTP status, the body is not copied.
 *
 * @example
 * ```ts
 * import { ApiError, type ApiLocalCode } from 'tokenkit';
 * const notThePlatform: ApiLocalCode[] = ['ERR_REDIRECT', 'ERR_NOT_PLATFORM_BODY'];
 * const failed = await client.getApp().catch((err: unknown) => err);
 * if (failed instanceof ApiError && typeof failed.code === 'string' && notThePlatform.includes(failed.code)) console.log('check baseUrl');
 * ```
 */
export type ApiLocalCode = 'ERR_REDIRECT' | 'ERR_NOT_PLATFORM_BODY';

/**
 * Every `code` a tokenkit error can carry: a local string code, or the platform's numeric code
 * (see {@link TokenError} and {@link ApiError}).
 *
 * @example
 * ```ts
 * import { TokenkitError, type TokenkitErrorCode } from 'tokenkit';
 * function describe(code: TokenkitErrorCode): string {
 *   return typeof code === 'number' ? `platform code ${code}` : code;
 * }
 * const failed = await client.getUser('nobody').catch((err: unknown) => err);
 * if (failed instanceof TokenkitError) console.log(describe(failed.code)); // platform code 16
 * ```
 */
export type TokenkitErrorCode = LocalErrorCode | number;

/**
 * One problem found in an argument: the path of the field and what was expected.
 *
 * @example
 * ```ts
 * import { ArgumentError, type ArgumentIssue } from 'tokenkit';
 * let issues: ArgumentIssue[] = [];
 * try {
 *   client.generateUserToken({ user_id: 'not valid!', validity_in_seconds: -1 });
 * } catch (err) {
 *   if (err instanceof ArgumentError) issues = err.issues;
 * }
 * console.log(issues.map((i) => i.path)); // [ 'user_id', 'validity_in_seconds' ]
 * ```
 */
export interface ArgumentIssue {
  /** Dotted path of the field, e.g. `users.3.id`; empty for the argument itself. */
  path: string;
  /** What was wrong and what was expected. */
  message: string;
}

/**
 * The base class of every error tokenkit throws or rejects with.
 *
 * @example
 * ```ts
 * import { TokenkitError } from 'tokenkit';
 * try {
 *   await client.getUser('alice');
 * } catch (err) {
 *   if (err instanceof TokenkitError) console.error(err.code, err.message);
 * }
 * ```
 */
export class TokenkitError extends Error {
  /** A stable code: a string for local errors, the platform's integer code otherwise. */
  readonly code: TokenkitErrorCode;

  constructor(code: TokenkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'TokenkitError';
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}

/** Turns zod issues into {@link ArgumentIssue}s. Values are never copied: they may be secrets. */
export function issuesFromZod(error: z.ZodError, prefix = ''): ArgumentIssue[] {
  const join = (...parts: string[]) => parts.filter(Boolean).join('.');
  return error.issues.flatMap((issue) => {
    const path = join(prefix, formatPath(issue.path));
    // An unknown key is named in `path`, one issue per key, so that a program reading `issues`
    // can tell which key it was (zod reports them together, at the object's path).
    if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
      return issue.keys.map((key) => ({
        path: join(path, key),
        message: issue.keys.length === 1 ? issue.message : `unknown key "${key}"`,
      }));
    }
    return [{ path, message: issue.message }];
  });
}

/**
 * You called it wrong: a bad argument, refused before any network call.
 * `issues` lists every field at fault with what was expected.
 *
 * @example
 * ```ts
 * import { ArgumentError } from 'tokenkit';
 * try {
 *   client.generateUserToken({ user_id: 'not valid!' });
 * } catch (err) {
 *   if (err instanceof ArgumentError) console.error(err.issues); // [{ path: 'user_id', message: ... }]
 * }
 * ```
 */
export class ArgumentError extends TokenkitError {
  declare readonly code: 'ERR_ARGUMENT' | 'ERR_CONFIG';
  /** Every problem found, each with the field's path. */
  readonly issues: ArgumentIssue[];

  constructor(message: string, issues: ArgumentIssue[] = [], code: 'ERR_ARGUMENT' | 'ERR_CONFIG' = 'ERR_ARGUMENT') {
    super(code, message);
    this.name = 'ArgumentError';
    this.issues = issues;
  }

  /**
   * Builds an error from zod issues, naming the argument (`what`) and each field at fault.
   *
   * @example
   * ```ts
   * import { z } from 'zod';
   * import { ArgumentError } from 'tokenkit';
   * const parsed = z.object({ user_id: z.string() }).safeParse({ user_id: 42 });
   * if (!parsed.success) throw ArgumentError.fromZod('my input', parsed.error);
   * ```
   */
  static fromZod(what: string, error: z.ZodError, prefix = ''): ArgumentError {
    const issues = issuesFromZod(error, prefix);
    const lines = issues.map((i) => `  - ${i.path || '(value)'}: ${i.message}`);
    return new ArgumentError(`Invalid ${what}:\n${lines.join('\n')}`, issues);
  }
}

/**
 * The client's options are wrong or incomplete (a missing key or secret, an unknown option).
 * A subclass of {@link ArgumentError} with code `ERR_CONFIG`.
 *
 * @example
 * ```ts
 * import { ConfigError, ServerClient } from 'tokenkit';
 * try {
 *   new ServerClient({ apiKey: 'key' });
 * } catch (err) {
 *   if (err instanceof ConfigError) console.error(err.message); // names every way to give a secret
 * }
 * ```
 */
export class ConfigError extends ArgumentError {
  constructor(message: string, issues: ArgumentIssue[] = []) {
    super(message, issues, 'ERR_CONFIG');
    this.name = 'ConfigError';
  }
}

/**
 * A token was refused by the platform's rules: `code` is the platform's code (40 to 46).
 *
 * @example
 * ```ts
 * import { TokenError, verifyUserToken } from 'tokenkit';
 * try {
 *   await verifyUserToken(token, { secret });
 * } catch (err) {
 *   if (err instanceof TokenError && err.code === 40) console.log('expired: fetch a new token');
 * }
 * ```
 */
export class TokenError extends TokenkitError {
  declare readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TokenError';
  }
}

/**
 * The rate-limit figures the platform sends with a response (`X-RateLimit-*`, `Retry-After`).
 *
 * @example
 * ```ts
 * import { ApiError, type RateLimitInfo } from 'tokenkit';
 * const failed = await client.getApp().catch((err: unknown) => err);
 * const limits: RateLimitInfo | undefined = failed instanceof ApiError ? failed.rateLimit : undefined;
 * if (limits?.retryAfterSeconds !== undefined) console.log(`rate limited: retry in ${limits.retryAfterSeconds} s`);
 * ```
 */
export interface RateLimitInfo {
  /** Requests allowed in the window. */
  limit?: number;
  /** Requests left in the window. */
  remaining?: number;
  /** When the window resets. */
  reset?: Date;
  /** Seconds the platform asked the caller to wait (`Retry-After`). */
  retryAfterSeconds?: number;
}

/**
 * What an {@link ApiError} is built from.
 *
 * @example
 * ```ts
 * import { ApiError, type ApiErrorInit } from 'tokenkit';
 * // A stand-in for the platform's answer, in a test of your own error handling.
 * const init: ApiErrorInit = { status: 404, code: 16, message: 'user "nobody" not found', requestId: 'req-1' };
 * const notFound = new ApiError(init);
 * console.log(notFound.code, notFound.status); // 16 404
 * ```
 */
export interface ApiErrorInit {
  /** The HTTP status. */
  status: number;
  /** The platform's error code (the body's `code`), or a local code where the answer held none. */
  code: number | ApiLocalCode;
  /** The platform's message. */
  message: string;
  /** The response's `X-Request-Id`. */
  requestId?: string | undefined;
  /** The body's `more_info`. */
  moreInfo?: string | undefined;
  /** The body's `unknown_user_ids` (a `PATCH /v1/users` refused with 404, code 16). */
  unknownUserIds?: string[] | undefined;
  /** The rate-limit figures of a 429. */
  rateLimit?: RateLimitInfo | undefined;
  /** The request's method. */
  method?: string | undefined;
  /** The request's path. */
  path?: string | undefined;
  /** The request's headers: the values of `Authorization`, `Api-Key` and cookies are redacted. */
  headers?: Record<string, string> | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

const SECRET_HEADERS = new Set(['authorization', 'api-key', 'cookie', 'set-cookie', 'proxy-authorization']);

/** Copies headers with the values of secret-bearing ones replaced by `[redacted]`. */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}

/**
 * The platform answered with an error (any non-2xx response). `code` is the platform's code (a
 * number), or a local {@link ApiLocalCode} where the answer was a redirect or did not carry the
 * platform's error body; `status` is the HTTP status, `requestId` the `X-Request-Id` to quote to
 * support.
 *
 * @example
 * ```ts
 * import { ApiError } from 'tokenkit';
 * try {
 *   await client.getUser('nobody');
 * } catch (err) {
 *   if (err instanceof ApiError && err.code === 16) console.log('no such user', err.requestId);
 * }
 * ```
 */
export class ApiError extends TokenkitError {
  declare readonly code: number | ApiLocalCode;
  /** The HTTP status. */
  readonly status: number;
  /** The `X-Request-Id` of the response. */
  readonly requestId: string | undefined;
  /** The platform's `more_info`, where it sent one. */
  readonly moreInfo: string | undefined;
  /** Rate-limit figures, where the platform sent them. */
  readonly rateLimit: RateLimitInfo | undefined;
  /**
   * The ids that name no user, where the platform listed them (`PATCH /v1/users` refused with 404,
   * code 16; docs/platform-api.md): leave them out and send the rest again.
   */
  readonly unknownUserIds: string[] | undefined;
  /** The request's method. */
  readonly method: string | undefined;
  /** The request's path (no query string, no host). */
  readonly path: string | undefined;
  /** The request's headers, secrets redacted at the source. */
  readonly requestHeaders: Record<string, string>;

  constructor(init: ApiErrorInit) {
    const where = init.method && init.path ? ` (${init.method} ${init.path}` + (init.requestId ? `, request ${init.requestId})` : ')') : '';
    super(init.code, `${init.message}${where}`, { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.requestId = init.requestId;
    this.moreInfo = init.moreInfo;
    this.rateLimit = init.rateLimit;
    this.unknownUserIds = init.unknownUserIds;
    this.method = init.method;
    this.path = init.path;
    this.requestHeaders = redactHeaders(init.headers);
  }

  /**
   * True for the token codes (40 to 46): the caller's token was refused.
   *
   * @example
   * ```ts
   * import { ApiError } from 'tokenkit';
   * const refused = await chat.connectUser({ id: 'alice' }, 'not.a.token').catch((err: unknown) => err);
   * if (refused instanceof ApiError && refused.isTokenError) console.log('fetch a new token, or sign the user out');
   * ```
   */
  get isTokenError(): boolean {
    return typeof this.code === 'number' && TOKEN_CODES.has(this.code);
  }
}

/**
 * A request took longer than `timeoutMs` (every attempt counted separately).
 *
 * @example
 * ```ts
 * import { TimeoutError } from 'tokenkit';
 * const settings = await client.getApp({ timeoutMs: 2000 }).catch((err: unknown) => {
 *   if (err instanceof TimeoutError) return undefined; // every attempt took longer than 2 s
 *   throw err;
 * });
 * ```
 */
export class TimeoutError extends TokenkitError {
  declare readonly code: 'ERR_TIMEOUT';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/**
 * The caller's `AbortSignal` cancelled the request (or a wait between attempts).
 *
 * @example
 * ```ts
 * import { AbortError } from 'tokenkit';
 * const controller = new AbortController();
 * const pending = client.getApp({ signal: controller.signal });
 * controller.abort();
 * const aborted = await pending.catch((err: unknown) => err);
 * console.log(aborted instanceof AbortError); // true
 * ```
 */
export class AbortError extends TokenkitError {
  declare readonly code: 'ERR_ABORTED';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/**
 * The platform could not be reached, or the connection dropped, on every attempt.
 *
 * @example
 * ```ts
 * import { ConnectionError, ServerClient } from 'tokenkit';
 * const unreachable = new ServerClient({ apiKey, apiSecret, baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
 * const failed = await unreachable.getApp().catch((err: unknown) => err);
 * console.log(failed instanceof ConnectionError); // true: nothing listens on port 9
 * ```
 */
export class ConnectionError extends TokenkitError {
  declare readonly code: 'ERR_CONNECTION';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONNECTION', message, options);
    this.name = 'ConnectionError';
  }
}

/**
 * The platform answered 2xx with a body that does not match the contract.
 *
 * @example
 * ```ts
 * import { ResponseShapeError } from 'tokenkit';
 * const result = await client.getApp().catch((err: unknown) => {
 *   if (err instanceof ResponseShapeError) console.error('the platform broke the contract:', err.issues, err.requestId);
 *   throw err;
 * });
 * ```
 */
export class ResponseShapeError extends TokenkitError {
  declare readonly code: 'ERR_RESPONSE_SHAPE';
  /** The response's `X-Request-Id`, where it had one. */
  readonly requestId: string | undefined;
  /** What in the body broke the contract, each with its path. */
  readonly issues: ArgumentIssue[];
  constructor(message: string, issues: ArgumentIssue[], requestId?: string, options?: { cause?: unknown }) {
    super('ERR_RESPONSE_SHAPE', message, options);
    this.name = 'ResponseShapeError';
    this.issues = issues;
    this.requestId = requestId;
  }
}
