import { LruMap } from './state';

/**
 * How long an answer is kept for replay: 10 minutes (docs/platform-api.md, "Errors and limits").
 *
 * @example
 * ```ts
 * import { IDEMPOTENCY_WINDOW_MS, createManualClock, startEmulator } from 'tokenkit/emulator';
 * const clock = createManualClock(Date.now());
 * const platform = await startEmulator({ clock });
 * clock.advance(IDEMPOTENCY_WINDOW_MS + 1); // answers kept for replay are forgotten now
 * await platform.close();
 * ```
 */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

/** A stored answer. */
export interface StoredAnswer {
  /** What the request was: method, path, body and credentials, hashed. A key reused for another request is refused. */
  fingerprint: string;
  status: number;
  body: string;
  expiresAt: number;
}

// The SDK checks a caller's key by the same rule, so it lives with the shared schemas.
export { IDEMPOTENCY_KEY_PATTERN } from '../schemas/common';

/**
 * The answers to requests that carried an `Idempotency-Key`, replayed (same status, same body)
 * to a retry within {@link IDEMPOTENCY_WINDOW_MS}. Only successful answers are kept: a refused
 * request changed nothing, so running it again is the same as replaying it. At most `cap` keys
 * are kept (least recently used dropped first), so memory stays bounded under load.
 */
export class IdempotencyStore {
  readonly #answers: LruMap<string, StoredAnswer>;

  constructor(cap: number) {
    this.#answers = new LruMap(cap);
  }

  /** The stored answer for `key`, if it has not expired. */
  get(key: string, nowMs: number): StoredAnswer | undefined {
    const answer = this.#answers.get(key);
    if (answer && answer.expiresAt <= nowMs) {
      this.#answers.delete(key);
      return undefined;
    }
    return answer;
  }

  put(key: string, answer: Omit<StoredAnswer, 'expiresAt'>, nowMs: number): void {
    this.#answers.set(key, { ...answer, expiresAt: nowMs + IDEMPOTENCY_WINDOW_MS });
  }

  clear(): void {
    this.#answers.clear();
  }

  get size(): number {
    return this.#answers.size;
  }
}
