import { LruMap } from './lru';

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

/** The default of `maxIdempotencyBytes`: 64 MiB of stored answers. */
export const DEFAULT_IDEMPOTENCY_BYTES = 64 * 2 ** 20;

/**
 * An answer as kept: its body as UTF-8 bytes in a `Buffer`, off the JS heap. Bulk answers are tens
 * of kB each, kept for minutes and then dropped: as strings they were most of the heap the
 * emulator's garbage collector had to keep room for (bench/README.md, "bulk").
 */
interface KeptAnswer {
  fingerprint: string;
  status: number;
  body: Buffer;
  expiresAt: number;
}

/** What an entry is counted as: its key, fingerprint and body, in UTF-8 bytes, plus its fixed fields. */
function answerBytes(key: string, answer: KeptAnswer): number {
  return key.length + answer.fingerprint.length + answer.body.length + 16;
}

/**
 * The answers to requests that carried an `Idempotency-Key`, replayed (same status, same body)
 * to a retry within {@link IDEMPOTENCY_WINDOW_MS}. Only successful answers are kept: a refused
 * request changed nothing, so running it again is the same as replaying it. At most `cap` keys
 * and `maxBytes` bytes of answers are kept (least recently used dropped first), so memory stays
 * bounded under load however large the answers are: a retry within the window is replayed as
 * long as its answer is among the most recent `maxBytes`.
 */
export class IdempotencyStore {
  readonly #answers: LruMap<string, KeptAnswer>;

  constructor(cap: number, maxBytes: number = DEFAULT_IDEMPOTENCY_BYTES) {
    this.#answers = new LruMap(cap, { maxBytes, bytesOf: answerBytes });
  }

  /** The stored answer for `key`, if it has not expired. */
  get(key: string, nowMs: number): StoredAnswer | undefined {
    const answer = this.#answers.get(key);
    if (answer === undefined) return undefined;
    if (answer.expiresAt <= nowMs) {
      this.#answers.delete(key);
      return undefined;
    }
    return { fingerprint: answer.fingerprint, status: answer.status, body: answer.body.toString('utf8'), expiresAt: answer.expiresAt };
  }

  put(key: string, answer: Omit<StoredAnswer, 'expiresAt'>, nowMs: number): void {
    this.#answers.set(key, { fingerprint: answer.fingerprint, status: answer.status, body: Buffer.from(answer.body, 'utf8'), expiresAt: nowMs + IDEMPOTENCY_WINDOW_MS });
  }

  clear(): void {
    this.#answers.clear();
  }

  get size(): number {
    return this.#answers.size;
  }

  /** The bytes of the answers kept (keys, fingerprints and bodies). */
  get bytes(): number {
    return this.#answers.bytes;
  }

  /** How many answers were dropped, before their window ended, to stay under the bounds. */
  get evicted(): number {
    return this.#answers.evicted;
  }
}
