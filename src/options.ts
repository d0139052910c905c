import { z } from 'zod';
import { ConfigError } from './errors';
import { isHeaderValue } from './schemas/common';
import { runtime } from './runtime';
import { SECRET_EXPECTED, type SecretInput, type SigningKey, secretFault } from './tokens/key';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER_SECONDS, DEFAULT_TIMEOUT_MS, parseOptions, timeoutMsSchema } from './schemas/validate';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from './tokens/verify';
import { KEYRING_ENV, type KeyringEntry, keyringFault, secretFromEnvironment } from './tokens/keyring';

/**
 * One record per HTTP attempt, given to the `logger` option. Never holds a header value, a token or a body.
 *
 * @example
 * ```ts
 * import { ServerClient, type RequestLogRecord } from 'tokenkit';
 * const records: RequestLogRecord[] = [];
 * const logged = new ServerClient({ apiKey, apiSecret, baseUrl, logger: (r) => records.push(r) });
 * await logged.getApp();
 * console.log(records[0]?.method, records[0]?.path, records[0]?.status); // GET /v1/app 200
 * ```
 */
export interface RequestLogRecord {
  /** The HTTP method: `GET`, `POST`, `PATCH`, `PUT` or `DELETE`. */
  method: string;
  /** The path without host or query string, e.g. `/v1/users/alice/token`. */
  path: string;
  /** The HTTP status, or undefined where no response came (timeout, connection error). */
  status: number | undefined;
  /** Milliseconds the attempt took. */
  ms: number;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /** The response's `X-Request-Id`, where one came. */
  requestId: string | undefined;
  /** The error's name where the attempt failed without a response (`TimeoutError`, `ConnectionError`). */
  error?: string | undefined;
  /** Where the attempt failed and is retried: milliseconds until the next attempt. */
  retryInMs?: number | undefined;
  /** Where the attempt failed: how many attempts the call may make in all (`maxRetries + 1`). */
  maxAttempts?: number | undefined;
}

/**
 * A function that receives one {@link RequestLogRecord} per attempt.
 *
 * @example
 * ```ts
 * import { ServerClient, type Logger } from 'tokenkit';
 * const logger: Logger = (r) => console.log(`${r.method} ${r.path} ${r.status ?? r.error} ${r.ms.toFixed(1)} ms`);
 * const logged = new ServerClient({ apiKey, apiSecret, baseUrl, logger });
 * ```
 */
export type Logger = (record: RequestLogRecord) => void;

/**
 * The `fetch` tokenkit sends requests with. Pass `init` on as it is: its `dispatcher`, where there
 * is one, is tokenkit's thin wrapper around the client's `dispatcher` (or undici's global one),
 * through which an attempt that runs out of `timeoutMs` is ended without an `AbortSignal` once
 * this fetch has been seen sending through it; a fetch that ignores it gets a `signal` instead.
 *
 * @example
 * ```ts
 * import { ServerClient, type FetchLike } from 'tokenkit';
 * const counted: FetchLike = (input, init) => {
 *   console.log('sending', String(input));
 *   return fetch(input, init);
 * };
 * const viaCounted = new ServerClient({ apiKey, apiSecret, baseUrl, fetch: counted });
 * ```
 */
export type FetchLike = (input: string | URL, init?: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

/**
 * The options of {@link ServerClient}. Unknown keys and wrong types are refused with a
 * {@link ConfigError} that lists the valid options.
 *
 * @example
 * ```ts
 * import { ServerClient, type ServerClientOptions } from 'tokenkit';
 * const options: ServerClientOptions = {
 *   apiKey: process.env.TOKENKIT_API_KEY,
 *   apiSecret: process.env.TOKENKIT_API_SECRET,
 *   baseUrl: process.env.TOKENKIT_BASE_URL,
 *   timeoutMs: 5000,
 *   maxRetries: 3,
 * };
 * const configured = new ServerClient(options);
 * ```
 */
export interface ServerClientOptions {
  /** The app's API key. Default: the environment variable `TOKENKIT_API_KEY`. */
  apiKey?: string | undefined;
  /**
   * The app's secret: a string, its bytes, a {@link SigningKey} (or, on Node, a secret key object from `createSecretKey`);
   * or a keyring, `[{ kid, secret }, ...]` (1 to 3 entries), to rotate the secret (docs/secret-rotation.md): the first
   * entry signs, stamping its `kid` in the header, and every entry verifies.
   * Default: the environment, `TOKENKIT_API_SECRET` (one secret) or `TOKENKIT_API_SECRETS` (a keyring as JSON,
   * `[{"kid":"...","secret":"..."}, ...]`; not both). Never logged or printed.
   */
  apiSecret?: SecretInput | readonly KeyringEntry[] | undefined;
  /** The platform's URL, e.g. `http://127.0.0.1:8787` for the emulator. Default: `TOKENKIT_BASE_URL`. Needed for HTTP calls only. */
  baseUrl?: string | undefined;
  /** Milliseconds one attempt may take before it fails with a `TimeoutError`. Default 10000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, for 408, 429, 5xx and connection errors. Default 2, at most 10. */
  maxRetries?: number | undefined;
  /** The longest `Retry-After` (seconds) the client waits for before it fails; default 60. */
  maxRetryAfterSeconds?: number | undefined;
  /** Issue tokens through the user-update call (JWT compatibility mode). Default false. */
  compatibilityMode?: boolean | undefined;
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike | undefined;
  /** An undici `Dispatcher` (pooling, proxies), passed to `fetch` (inside a thin wrapper: see {@link FetchLike}). Default: none, or a `EnvHttpProxyAgent` where `HTTPS_PROXY`/`HTTP_PROXY` is set. */
  dispatcher?: object | undefined;
  /** Receives one record per HTTP attempt. Default: silent. */
  logger?: Logger | undefined;
  /** Seconds that `nbf` and `iat` may lie in the future when this client verifies tokens. Default 5. */
  clockToleranceSeconds?: number | undefined;
  /** Allow construction in a browser-like runtime. Default false: the secret belongs on a server. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /**
   * Where the `TOKENKIT_*` variables are read from, for the options not given: `TOKENKIT_API_KEY`,
   * `TOKENKIT_API_SECRET` or `TOKENKIT_API_SECRETS`, `TOKENKIT_BASE_URL`. Only string values are read.
   * Default: the process environment (`process.env`, or `Deno.env`). Pass a Cloudflare Worker's `env`
   * bindings, or a Hono context's `c.env`, where there is no process environment.
   *
   * @example
   * ```ts
   * import { ServerClient } from 'tokenkit';
   * const bindings = { TOKENKIT_API_KEY: apiKey, TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'k2', secret: apiSecret }]), TOKENKIT_BASE_URL: baseUrl };
   * const fromBindings = new ServerClient({ env: bindings });
   * console.log(fromBindings.createToken('alice').length > 0); // true
   * ```
   */
  env?: object | undefined;
}

const optionsSchema = z.strictObject({
  apiKey: z
    .string()
    .min(1, { error: 'must not be empty' })
    .refine(isHeaderValue, { error: 'expected printable ASCII (it is sent as the Api-Key header)' })
    .optional(),
  apiSecret: z
    .union(
      [
        z.string().min(1, { error: 'must not be empty' }),
        // Keyrings and the other object forms are checked by keyringFault and secretFault below.
        z.custom<Exclude<SecretInput, string> | readonly KeyringEntry[]>((v) => typeof v === 'object' && v !== null),
      ],
      { error: `${SECRET_EXPECTED}, or a keyring [{ kid, secret }, ...]` },
    )
    .optional(),
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:8787' })
    .optional(),
  timeoutMs: timeoutMsSchema.optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  maxRetryAfterSeconds: z.number().min(0).max(3600).optional(),
  compatibilityMode: z.boolean().optional(),
  fetch: z.custom<FetchLike>((v) => typeof v === 'function', { error: 'expected a fetch function' }).optional(),
  dispatcher: z.custom<object>((v) => typeof v === 'object' && v !== null, { error: 'expected an undici Dispatcher' }).optional(),
  logger: z.custom<Logger>((v) => typeof v === 'function', { error: 'expected a function (record) => void' }).optional(),
  clockToleranceSeconds: z.number().min(0).max(3600).optional(),
  dangerouslyAllowBrowser: z.boolean().optional(),
  env: z
    .custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      error: 'expected an object of environment variables, such as process.env or a Worker\'s env bindings',
    })
    .optional(),
});

/** The string values of an `env` option (a Worker's bindings also hold KV namespaces and the like). */
function stringValues(env: object): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const name of ['TOKENKIT_API_KEY', 'TOKENKIT_API_SECRET', KEYRING_ENV, 'TOKENKIT_BASE_URL']) {
    const value: unknown = Object.prototype.hasOwnProperty.call(env, name) ? (env as Record<string, unknown>)[name] : undefined;
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** The options once defaults and the environment are applied. */
export interface ResolvedOptions {
  apiKey: string;
  apiSecret: SecretInput | readonly KeyringEntry[];
  baseUrl: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  maxRetryAfterSeconds: number;
  compatibilityMode: boolean;
  fetch: FetchLike | undefined;
  dispatcher: object | undefined;
  logger: Logger | undefined;
  clockToleranceSeconds: number;
}

/** Whether this looks like a browser (or a web worker): where a secret must not be. */
export function isBrowserLike(): boolean {
  const g = globalThis as Record<string, unknown>;
  const win = g['window'] as { document?: unknown } | undefined;
  return (typeof win === 'object' && win !== null && typeof win.document !== 'undefined') || typeof g['importScripts'] === 'function';
}

/** Validates the options and applies the environment and defaults. */
export function resolveOptions(input: unknown, processEnv?: Readonly<Record<string, string | undefined>>): ResolvedOptions {
  const given = input === undefined ? {} : input;
  const o = parseOptions(optionsSchema, given, 'ServerClient options');
  const env = o.env !== undefined ? stringValues(o.env) : (processEnv ?? runtime.env());
  if (isBrowserLike() && o.dangerouslyAllowBrowser !== true) {
    throw new ConfigError(
      'ServerClient refuses to run in a browser-like runtime: it holds your app secret, which must stay on a server. ' +
        'Use UserClient (tokenkit/client) in the browser with tokens from your backend, or pass dangerouslyAllowBrowser: true if this really is a server.',
    );
  }
  const apiKey = o.apiKey ?? (env['TOKENKIT_API_KEY'] || undefined);
  let apiSecret = o.apiSecret;
  if (apiSecret === undefined) {
    // Never quotes a value: a fault names the variable and the entry.
    const fromEnv = secretFromEnvironment(env);
    if ('fault' in fromEnv) throw new ConfigError(`ServerClient: ${fromEnv.fault.message}`, [fromEnv.fault]);
    apiSecret = fromEnv.secret;
  }
  const missing: string[] = [];
  if (!apiKey) missing.push('the API key: pass { apiKey } or set TOKENKIT_API_KEY');
  if (!apiSecret) missing.push(`the API secret: pass { apiSecret } or set TOKENKIT_API_SECRET (or ${KEYRING_ENV}, a keyring)`);
  if (missing.length > 0 || !apiKey || !apiSecret) {
    throw new ConfigError(
      `ServerClient is missing ${missing.join('; and ')}.`,
      missing.map((m) => ({ path: m.startsWith('the API key') ? 'apiKey' : 'apiSecret', message: m })),
    );
  }
  if (!isHeaderValue(apiKey)) {
    // The key itself is never quoted: errors must not carry credentials.
    throw new ConfigError('Invalid TOKENKIT_API_KEY: expected printable ASCII (it is sent as the Api-Key header)', [
      { path: 'apiKey', message: 'expected printable ASCII' },
    ]);
  }
  if (Array.isArray(apiSecret)) {
    // Never quotes a value: an entry at fault is named by its index and field.
    const fault = keyringFault(apiSecret);
    if (fault !== undefined) {
      const path = fault.path ? `apiSecret.${fault.path}` : 'apiSecret';
      throw new ConfigError(`Invalid ServerClient options:\n  - ${path}: ${fault.message}`, [{ path, message: fault.message }]);
    }
  } else {
    const secretProblem = typeof apiSecret === 'string' ? undefined : secretFault(apiSecret);
    if (secretProblem !== undefined) {
      throw new ConfigError(`Invalid ServerClient options:\n  - apiSecret: ${secretProblem}`, [{ path: 'apiSecret', message: secretProblem }]);
    }
  }
  let baseUrl = o.baseUrl ?? (env['TOKENKIT_BASE_URL'] || undefined);
  if (baseUrl !== undefined) {
    const check = optionsSchema.shape.baseUrl.safeParse(baseUrl);
    if (!check.success) {
      throw new ConfigError(`Invalid TOKENKIT_BASE_URL: expected an http(s) URL such as http://127.0.0.1:8787`, [
        { path: 'baseUrl', message: 'expected an http(s) URL' },
      ]);
    }
    baseUrl = baseUrl.replace(/\/+$/, '');
  }
  return {
    apiKey,
    apiSecret,
    baseUrl,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxRetryAfterSeconds: o.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS,
    compatibilityMode: o.compatibilityMode ?? false,
    fetch: o.fetch,
    dispatcher: o.dispatcher,
    logger: o.logger,
    clockToleranceSeconds: o.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
  };
}
