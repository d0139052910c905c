import type { ArgumentError } from '../errors';
import { argumentError } from '../schemas/validate';

// The retry decision, as a pure function (after stripe's `_shouldRetry`): the
// transport asks it after every failed attempt and does exactly what it answers, so every rule
// below is unit-tested without a network or a clock (__tests__/http/retry-policy.test.ts).

/**
 * Why an attempt ended without a response.
 *
 * @example
 * ```ts
 * import { decideRetry, type AttemptFailure } from 'tokenkit';
 * const failure: AttemptFailure = 'timeout';
 * console.log(decideRetry({ attempt: 1, maxRetries: 2, failure, maxRetryAfterSeconds: 60 }).retry); // true
 * ```
 */
export type AttemptFailure = 'timeout' | 'connection';

/**
 * What {@link decideRetry} looks at.
 *
 * @example
 * ```ts
 * import { decideRetry, type RetryInput } from 'tokenkit';
 * const input: RetryInput = { attempt: 1, maxRetries: 2, status: 429, retryAfterHeader: '3', maxRetryAfterSeconds: 60 };
 * console.log(decideRetry(input)); // { retry: true, delayMs: 3000 }
 * ```
 */
export interface RetryInput {
  /** The attempt that just ended: 1 for the first. */
  attempt: number;
  /** Retries allowed after the first attempt. */
  maxRetries: number;
  /** The response's HTTP status, where a response came. */
  status?: number | undefined;
  /** Why no response came, where none did. */
  failure?: AttemptFailure | undefined;
  /** The response's `Retry-After` header, as sent. */
  retryAfterHeader?: string | null | undefined;
  /** The longest `Retry-After` the caller waits for, in seconds. */
  maxRetryAfterSeconds: number;
  /** A number in [0, 1): the jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
  /** Now, in ms, for a `Retry-After` given as an HTTP date. Default `Date.now()`. */
  nowMs?: number | undefined;
  /** The backoff before the first retry, before jitter. Default 500 (ms). */
  baseDelayMs?: number | undefined;
  /** The longest backoff, before jitter. Default 8000 (ms). */
  maxDelayMs?: number | undefined;
}

/**
 * Why a request is not retried.
 *
 * @example
 * ```ts
 * import { decideRetry, type NoRetryReason } from 'tokenkit';
 * const decision = decideRetry({ attempt: 1, maxRetries: 2, status: 404, maxRetryAfterSeconds: 60 });
 * const reason: NoRetryReason | undefined = decision.retry ? undefined : decision.reason;
 * console.log(reason); // not-retryable
 * ```
 */
export type NoRetryReason = 'success' | 'not-retryable' | 'exhausted' | 'retry-after-too-long';

/**
 * What {@link decideRetry} answers.
 *
 * @example
 * ```ts
 * import { decideRetry, type RetryDecision } from 'tokenkit';
 * const decision: RetryDecision = decideRetry({ attempt: 3, maxRetries: 2, status: 503, maxRetryAfterSeconds: 60 });
 * if (!decision.retry) console.log(decision.reason); // exhausted
 * ```
 */
export type RetryDecision =
  | {
      /** Send the request again. */
      retry: true;
      /** After this many milliseconds. */
      delayMs: number;
    }
  | {
      /** Stop: the answer (or the error) is final. */
      retry: false;
      /** Why not. */
      reason: NoRetryReason;
      /** With `retry-after-too-long`: the `Retry-After` the platform asked for, in seconds. */
      retryAfterSeconds?: number | undefined;
    };

/** The backoff before the first retry (before jitter). */
export const BASE_DELAY_MS = 500;
/** The longest backoff between two attempts (before jitter), unless the platform asks for longer. */
export const MAX_DELAY_MS = 8_000;

const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Whether a status is worth another attempt: 408, 429 and every 5xx.
 *
 * @example
 * ```ts
 * import { isRetryableStatus } from 'tokenkit';
 * console.log([408, 429, 500, 503, 400, 404].map(isRetryableStatus)); // [ true, true, true, true, false, false ]
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Reads `Retry-After`: whole (or decimal) seconds, or an HTTP date. Undefined where it is absent
 * or unreadable; never negative.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from 'tokenkit';
 * console.log(parseRetryAfter('120')); // 120
 * console.log(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))); // 60
 * ```
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  // An HTTP date must be the IMF-fixdate form (RFC 9110 5.6.7): Date.parse alone takes "-1" for 2001.
  if (!IMF_FIXDATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - nowMs) / 1000);
}

const invalid = (field: string, message: string): ArgumentError => argumentError(field, message, 'decideRetry input');

const isCount = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * Refuses input that would make the decision meaningless (a NaN wait, a budget that never ends)
 * with an {@link ArgumentError} naming the field (bad input is refused before any network call). A few comparisons: it runs once per
 * failed attempt, never on a success.
 */
function checkRetryInput(input: unknown): asserts input is RetryInput {
  if (typeof input !== 'object' || input === null) throw invalid('(input)', 'expected an object');
  const i = input as Record<keyof RetryInput, unknown>;
  if (!isCount(i.attempt, 1)) throw invalid('attempt', 'expected a whole number >= 1');
  if (!isCount(i.maxRetries, 0)) throw invalid('maxRetries', 'expected a whole number >= 0');
  if (!isNonNegative(i.maxRetryAfterSeconds)) throw invalid('maxRetryAfterSeconds', 'expected a finite number of seconds >= 0');
  if (i.status !== undefined && !(isCount(i.status, 100) && (i.status as number) <= 999)) throw invalid('status', 'expected an HTTP status (100 to 999)');
  if (i.failure !== undefined && i.failure !== 'timeout' && i.failure !== 'connection') throw invalid('failure', 'expected "timeout" or "connection"');
  if (i.retryAfterHeader !== undefined && i.retryAfterHeader !== null && typeof i.retryAfterHeader !== 'string') {
    throw invalid('retryAfterHeader', 'expected the header text, null or undefined');
  }
  if (i.random !== undefined && typeof i.random !== 'function') throw invalid('random', 'expected a function () => number in [0, 1)');
  if (i.nowMs !== undefined && !(typeof i.nowMs === 'number' && Number.isFinite(i.nowMs))) throw invalid('nowMs', 'expected milliseconds since the epoch');
  if (i.baseDelayMs !== undefined && !isNonNegative(i.baseDelayMs)) throw invalid('baseDelayMs', 'expected a finite number of ms >= 0');
  if (i.maxDelayMs !== undefined && !isNonNegative(i.maxDelayMs)) throw invalid('maxDelayMs', 'expected a finite number of ms >= 0');
}

/**
 * Decides whether to try again after an attempt, and how long to wait first.
 *
 * - Retried: 408, 429, 5xx, timeouts and connection failures; nothing else (a 4xx will not
 *   change by itself).
 * - At most `maxRetries` retries.
 * - The wait is exponential with full jitter: `random() * min(maxDelayMs, baseDelayMs * 2^(attempt-1))`.
 * - Where the platform sent `Retry-After`, the wait is exactly that, unless it is longer than
 *   `maxRetryAfterSeconds`: then the answer is no (`retry-after-too-long`), so the caller fails at
 *   once with a clear error instead of hanging.
 *
 * @throws {@link ArgumentError} for input outside the types above (an `attempt` below 1, a NaN, ...).
 *
 * @example
 * ```ts
 * import { decideRetry } from 'tokenkit';
 * const d = decideRetry({ attempt: 1, maxRetries: 2, status: 503, maxRetryAfterSeconds: 60 });
 * if (d.retry) console.log(`waiting ${d.delayMs} ms`);
 * ```
 */
export function decideRetry(input: RetryInput): RetryDecision {
  checkRetryInput(input);
  const { attempt, maxRetries, status, failure } = input;
  if (status !== undefined && status >= 200 && status < 300) return { retry: false, reason: 'success' };
  const retryable = failure !== undefined || (status !== undefined && isRetryableStatus(status));
  if (!retryable) return { retry: false, reason: 'not-retryable' };
  if (attempt > maxRetries) return { retry: false, reason: 'exhausted' };

  const retryAfterSeconds = parseRetryAfter(input.retryAfterHeader, input.nowMs ?? Date.now());
  if (retryAfterSeconds !== undefined) {
    if (retryAfterSeconds > input.maxRetryAfterSeconds) {
      return { retry: false, reason: 'retry-after-too-long', retryAfterSeconds };
    }
    return { retry: true, delayMs: Math.ceil(retryAfterSeconds * 1000) };
  }
  const base = input.baseDelayMs ?? BASE_DELAY_MS;
  const cap = Math.min(input.maxDelayMs ?? MAX_DELAY_MS, base * 2 ** (attempt - 1));
  const random = input.random ?? Math.random;
  // A source that answers NaN, Infinity or a non-number waits nothing rather than NaN ms (a hostile answer never makes the client wait without bound).
  const raw = random();
  const r = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), 1) : 0;
  return { retry: true, delayMs: Math.floor(r * cap) };
}
