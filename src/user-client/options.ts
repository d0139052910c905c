import { z } from 'zod';
import { ConfigError } from '../errors';
import type { FetchLike } from '../options';
import { isHeaderValue } from '../schemas/common';
import { DEFAULT_TIMEOUT_MS, parseOptions, timeoutMsSchema } from '../schemas/validate';
import { DEFAULT_TOKEN_PROVIDER_TIMEOUT_MS } from './session';

/**
 * The options of {@link UserClient}. Unknown keys and wrong types are refused with a
 * {@link ConfigError}. There is no secret here: a UserClient runs where your users are.
 *
 * @example
 * ```ts
 * import { UserClient, type UserClientOptions } from 'tokenkit/client';
 * const options: UserClientOptions = { apiKey: 'my-api-key', baseUrl: 'https://platform.example', refreshAheadSeconds: 60 };
 * const app = new UserClient(options);
 * ```
 */
export interface UserClientOptions {
  /** The app's API key (public: it identifies the app, it proves nothing). Required. */
  apiKey: string;
  /** The platform's URL, e.g. `http://127.0.0.1:8787` for the emulator. Required. */
  baseUrl: string;
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike | undefined;
  /** Milliseconds one request may take before it fails with a `TimeoutError`. Default 10000. */
  timeoutMs?: number | undefined;
  /**
   * With a token provider: when the token has less than this many seconds left (by its `exp`),
   * the next request first fetches a new one (one provider call however many requests are
   * waiting). A failed early refresh is not an error: the request goes out with the current
   * token. Default 0: refresh only when the platform refuses the token (40 or 44).
   */
  refreshAheadSeconds?: number | undefined;
  /**
   * Milliseconds one token provider call may take (default 10000, at most 600000). Past it, every
   * request waiting for the token rejects with a `TimeoutError`, and the next request calls the
   * provider again.
   */
  tokenProviderTimeoutMs?: number | undefined;
}

const optionsSchema = z.strictObject({
  apiKey: z
    .string({ error: 'expected a string' })
    .min(1, { error: 'must not be empty' })
    .refine(isHeaderValue, { error: 'expected printable ASCII (it is sent as the Api-Key header)' }),
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:8787' }),
  fetch: z.custom<FetchLike>((v) => typeof v === 'function', { error: 'expected a fetch function' }).optional(),
  timeoutMs: timeoutMsSchema.optional(),
  refreshAheadSeconds: z.number().min(0).max(30 * 24 * 3600).optional(),
  tokenProviderTimeoutMs: z.number().int().positive().max(600_000).optional(),
});

/** The options once checked and defaulted. */
export interface ResolvedUserClientOptions {
  apiKey: string;
  baseUrl: string;
  fetch: FetchLike;
  timeoutMs: number;
  refreshAheadMs: number;
  tokenProviderTimeoutMs: number;
}

/** Checks the options; throws a {@link ConfigError} naming every field at fault. */
export function resolveUserClientOptions(input: unknown): ResolvedUserClientOptions {
  const o = parseOptions(optionsSchema, input, 'UserClient options');
  const fetchFn: FetchLike | undefined = o.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetchFn) {
    throw new ConfigError('UserClient needs fetch: this runtime has no global fetch, pass { fetch }', [{ path: 'fetch', message: 'required here' }]);
  }
  return {
    apiKey: o.apiKey,
    baseUrl: o.baseUrl.replace(/\/+$/, ''),
    fetch: fetchFn,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    refreshAheadMs: (o.refreshAheadSeconds ?? 0) * 1000,
    tokenProviderTimeoutMs: o.tokenProviderTimeoutMs ?? DEFAULT_TOKEN_PROVIDER_TIMEOUT_MS,
  };
}
