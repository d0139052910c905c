/**
 * Where bulk work reads its user ids from: an array (or any iterable), or an async iterable (a file's lines).
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { createInterface } from 'node:readline';
 * import type { IdSource } from 'tokenkit';
 * const fromArray: IdSource = ['alice', 'bob'];
 * const fromFile: IdSource = createInterface({ input: createReadStream('ids.txt') }); // one id a line, never loaded whole
 * await client.bulk.revokeUserTokens(fromArray);
 * ```
 */
export type IdSource = Iterable<string> | AsyncIterable<string>;

/**
 * The outcome of one id.
 *
 * @example
 * ```ts
 * import type { BulkItem } from 'tokenkit';
 * const log = (item: BulkItem<string>): void => {
 *   if (item.status === 'failed') console.error(item.id, item.error.message);
 * };
 * await client.bulk.revokeUserTokens(['alice', 'bob'], { onItem: log, collect: false });
 * ```
 */
export type BulkItem<D> =
  | {
      /** The user id. */
      id: string;
      /** Applied. */
      status: 'done';
      /** What the operation answered for this id. */
      value: D;
    }
  | {
      /** The user id. */
      id: string;
      /** Not applied. */
      status: 'failed';
      /** Why: see {@link BulkFailure.error}. */
      error: Error;
    }
  | {
      /** The user id. */
      id: string;
      /** Not attempted. */
      status: 'skipped';
      /** `duplicate`: the id was seen earlier in the run; `unknown`: no such user, and `missing: 'skip'`. */
      reason: 'duplicate' | 'unknown';
    };

/**
 * One id that failed, with why.
 *
 * @example
 * ```ts
 * import type { BulkFailure } from 'tokenkit';
 * const { failed } = await client.bulk.revokeUserTokens(['alice', 'nobody']);
 * const report = failed.map((f: BulkFailure) => `${f.id}: ${f.error.name}`);
 * ```
 */
export interface BulkFailure {
  /** The user id. */
  id: string;
  /** An `ApiError`, `TimeoutError`, `ConnectionError`, `AbortError` (not attempted, or cut off), or `ArgumentError` (a bad id). */
  error: Error;
}

/**
 * Counts so far, given to `onProgress` after every request and once at the end.
 *
 * @example
 * ```ts
 * import type { BulkProgress } from 'tokenkit';
 * const show = (p: BulkProgress): void => console.log(`${p.done + p.failed + p.skipped}/${p.read}${p.finished ? ' done' : ''}`);
 * await client.bulk.revokeUserTokens(['alice', 'bob'], { onProgress: show });
 * ```
 */
export interface BulkProgress {
  /** Ids read from the source so far. */
  read: number;
  /** Ids applied so far. */
  done: number;
  /** Ids that failed so far. */
  failed: number;
  /** Ids skipped so far as duplicates. */
  skipped: number;
  /** Ids in requests not answered yet. */
  inFlight: number;
  /** True on the last call, once every id read has an outcome. */
  finished: boolean;
}

/**
 * The options every bulk operation takes.
 *
 * @example
 * ```ts
 * import type { BulkOptions } from 'tokenkit';
 * const common: BulkOptions<unknown> = { concurrency: 8, signal: AbortSignal.timeout(60_000), onProgress: (p) => console.log(p.done) };
 * await client.bulk.revokeUserTokens(['alice', 'bob'], common);
 * ```
 */
export interface BulkOptions<D> {
  /** Requests in flight at once, 1 to 64. Default 4. */
  concurrency?: number | undefined;
  /** Stops the run: requests in flight are cancelled (their ids fail with an `AbortError`), nothing more is read. */
  signal?: AbortSignal | undefined;
  /** Called after every request and once at the end. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /**
   * Called once per id with its outcome, in completion order (not input order). May return a
   * promise: the run waits for it before it starts more work (backpressure for a report file).
   * If it throws, the run stops and rejects with that error.
   */
  onItem?: ((item: BulkItem<D>) => void | Promise<void>) | undefined;
  /** Keep `done`, `failed` and `skipped` in the result. Default true; false for millions of ids (use `onItem`). */
  collect?: boolean | undefined;
  /**
   * Skip (and report) an id seen earlier in the run, so that nothing is applied twice. Default true.
   * What it costs: every distinct id is kept for the whole run, compactly and off the JS heap
   * (its length + 1 bytes plus 8 to 16 bytes of table: about 25 MB at a million ids of 12
   * characters). With false, nothing is kept (for inputs known to be unique: memory stays flat
   * however long the input) and an id given twice is written twice.
   */
  dedupe?: boolean | undefined;
  /** Milliseconds each attempt may take (default: the client's `timeoutMs`). */
  timeoutMs?: number | undefined;
  /**
   * What to do with an id that names no user: `fail` it (the default; an `ApiError`, code 16),
   * `skip` it (reason `unknown`), or `create` the user (`POST /v1/users` with just its id) and go
   * on. Either way the other ids of its request are applied, in one more request at most.
   */
  missing?: 'fail' | 'skip' | 'create' | undefined;
}

/**
 * What a bulk operation resolves to. With `collect: true`, every id read is in exactly one list.
 *
 * @example
 * ```ts
 * import type { BulkResult } from 'tokenkit';
 * const result: BulkResult<string> = await client.bulk.revokeUserTokens(['alice', 'bob', 'alice']);
 * console.log(result.total, result.counts, result.skipped, result.complete); // 3 { done: 2, failed: 0, skipped: 1 } [ 'alice' ] true
 * ```
 */
export interface BulkResult<D> {
  /** Ids read from the source. Equals `done + failed + skipped` counts. */
  total: number;
  /** The ids done, with their values (empty where `collect` is false). */
  done: D[];
  /** The ids that failed, with their errors (empty where `collect` is false). */
  failed: BulkFailure[];
  /** Ids skipped: duplicates of an earlier one, or unknown users with `missing: 'skip'` (empty where `collect` is false). */
  skipped: string[];
  /** How many ids ended in each outcome (counted even where `collect` is false). */
  counts: {
    /** Ids applied. */
    done: number;
    /** Ids that failed. */
    failed: number;
    /** Ids skipped as duplicates. */
    skipped: number;
  };
  /**
   * True when the source was read to its end. False when the run stopped early (the signal, or an
   * error every request would hit: 401, 403): the ids after the last one read were not looked at.
   * An array is always read to its end; its unattempted ids fail with the reason.
   */
  complete: boolean;
  /** Why the run stopped early, where it did. */
  stoppedBy?: Error | undefined;
}
