import { z } from 'zod';
import { AbortError, ApiError, ArgumentError, ConfigError } from '../errors';
import { runtime } from '../runtime';
import { USER_ID_PATTERN } from '../schemas/common';
import { requestOptionsShape } from '../schemas/validate';
import { IdSet } from './id-set';
import type { BulkItem, BulkOptions, BulkProgress, BulkResult, IdSource } from './types';

/** The outcome of one id of a group, in the group's order. */
export type GroupOutcome<D> = { ok: true; value: D } | { ok: false; error: Error } | { ok: 'skipped'; reason: 'unknown' };

/** What a bulk operation does with a group of ids. */
export interface GroupWork<D> {
  /** Ids per call of `run` (100 for a PATCH of users, 1 for per-user routes). */
  groupSize: number;
  /** Does the work; answers one outcome per id, in order. Should not reject (a rejection fails the whole group). */
  run(ids: string[], signal: AbortSignal): Promise<Array<GroupOutcome<D>>>;
  /** Errors of this work that stop the run, besides {@link isFatal}'s. */
  stopsRun?: ((error: Error) => boolean) | undefined;
}

/** The most requests a bulk run keeps in flight. */
export const MAX_CONCURRENCY = 64;
/** Requests a bulk run keeps in flight where `concurrency` does not say. */
export const DEFAULT_CONCURRENCY = 4;

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: `expected a function ${what}` });

/** The schema of {@link BulkOptions}, extended by each operation with its own keys. */
export const bulkOptionsShape = {
  concurrency: z.number().int().min(1).max(MAX_CONCURRENCY, { error: `must be at most ${MAX_CONCURRENCY}` }).optional(),
  signal: requestOptionsShape.signal,
  onProgress: fn('(progress) => void').optional(),
  onItem: fn('(item) => void | Promise<void>').optional(),
  collect: z.boolean().optional(),
  dedupe: z.boolean().optional(),
  missing: z.enum(['fail', 'skip', 'create'], { error: 'expected "fail", "skip" or "create"' }).optional(),
  timeoutMs: requestOptionsShape.timeoutMs,
};

/** Errors that every further request would hit as well: the run stops rather than hammer on. */
export function isFatal(error: Error): boolean {
  return error instanceof ConfigError || (error instanceof ApiError && (error.status === 401 || error.status === 403));
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function isIterable(v: unknown): v is Iterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' && typeof v !== 'string';
}

/** Checks the source before anything is read. */
export function validateSource(source: unknown, field = 'userIds'): IdSource {
  if (!isAsyncIterable(source) && !isIterable(source)) {
    throw new ArgumentError(`Invalid ${field}: expected an array or an (async) iterable of user ids`, [
      { path: field, message: 'expected an array or an (async) iterable of user ids' },
    ]);
  }
  return source as IdSource;
}

function badId(raw: unknown): ArgumentError {
  const shown = typeof raw === 'string' ? JSON.stringify(raw.length > 140 ? raw.slice(0, 140) + '…' : raw) : typeof raw;
  return new ArgumentError(`Invalid user id ${shown}: expected 1 to 128 characters from A-Z a-z 0-9 @ _ - .`, [
    { path: 'id', message: 'expected 1 to 128 characters from A-Z a-z 0-9 @ _ - .' },
  ]);
}

/**
 * Runs `work` over every id of `source`: groups of `work.groupSize`, at most `concurrency` groups
 * in flight, reading the source only as fast as the work goes (an async iterable of millions of
 * ids is never held in memory). Every id read gets exactly one outcome, reported through
 * `onItem` and (with `collect`) in the result.
 */
export async function runBulk<D>(source: IdSource, work: GroupWork<D>, options: BulkOptions<D>): Promise<BulkResult<D>> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const collect = options.collect !== false;
  const seen = options.dedupe === false ? undefined : new IdSet();
  const result: BulkResult<D> = { total: 0, done: [], failed: [], skipped: [], counts: { done: 0, failed: 0, skipped: 0 }, complete: false };
  const controller = new AbortController();
  // One listener per request in flight (and per backoff wait): up to `concurrency` at once, by design.
  runtime.allowListeners(controller.signal, MAX_CONCURRENCY * 2 + 10);
  const userSignal = options.signal;
  const onUserAbort = (): void => controller.abort(userSignal?.reason);
  if (userSignal?.aborted) onUserAbort();
  else userSignal?.addEventListener('abort', onUserAbort, { once: true });
  let inFlight = 0;
  let stop: Error | undefined;
  let callbackError: { error: unknown } | undefined;
  const running = new Set<Promise<void>>();

  const halt = (error: Error): void => {
    stop ??= error;
  };
  const progress = (finished: boolean): void => {
    if (!options.onProgress || callbackError) return;
    const p: BulkProgress = { read: result.total, ...result.counts, inFlight, finished };
    try {
      options.onProgress(p);
    } catch (error) {
      callbackError = { error };
      halt(new AbortError('the bulk run stopped: onProgress threw', { cause: error }));
      controller.abort(error);
    }
  };
  // Counts (and with `collect`, keeps) an outcome; answers onItem's promise where there is one to
  // wait for, else nothing: without onItem, an id costs no promise and no turn of the event loop.
  const report = (item: BulkItem<D>): Promise<void> | undefined => {
    if (item.status === 'done') {
      result.counts.done++;
      if (collect) result.done.push(item.value);
    } else if (item.status === 'failed') {
      result.counts.failed++;
      if (collect) result.failed.push({ id: item.id, error: item.error });
    } else {
      result.counts.skipped++;
      if (collect) result.skipped.push(item.id);
    }
    if (!options.onItem || callbackError) return undefined;
    return callOnItem(options.onItem, item);
  };
  const callOnItem = async (onItem: NonNullable<BulkOptions<D>['onItem']>, item: BulkItem<D>): Promise<void> => {
    try {
      await onItem(item);
    } catch (error) {
      callbackError = { error };
      halt(new AbortError('the bulk run stopped: onItem threw', { cause: error }));
      controller.abort(error);
    }
  };
  const notAttempted = (id: string): Promise<void> | undefined =>
    report({ id, status: 'failed', error: new AbortError(`not attempted: ${stop?.message ?? 'the run stopped'}`, { cause: stop }) });

  const runGroup = async (ids: string[]): Promise<void> => {
    inFlight += ids.length;
    let outcomes: Array<GroupOutcome<D>>;
    try {
      outcomes = await work.run(ids, controller.signal);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      outcomes = ids.map(() => ({ ok: false, error: e }));
    }
    inFlight -= ids.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      const o = outcomes[i] ?? { ok: false as const, error: new Error('no outcome for this id') };
      let waiting: Promise<void> | undefined;
      if (o.ok === true) waiting = report({ id, status: 'done', value: o.value });
      else if (o.ok === 'skipped') waiting = report({ id, status: 'skipped', reason: o.reason });
      else {
        if (isFatal(o.error) || work.stopsRun?.(o.error)) halt(o.error);
        if (o.error instanceof AbortError && controller.signal.aborted) halt(o.error);
        waiting = report({ id, status: 'failed', error: o.error });
      }
      if (waiting !== undefined) await waiting;
    }
    progress(false);
  };

  const dispatch = async (ids: string[]): Promise<void> => {
    while (running.size >= concurrency) await Promise.race(running);
    if (stop || controller.signal.aborted) {
      halt(new AbortError('the bulk run was aborted', { cause: controller.signal.reason }));
      for (const id of ids) await notAttempted(id);
      return;
    }
    const p = runGroup(ids).finally(() => running.delete(p));
    running.add(p);
  };

  const drain = Array.isArray(source);
  let group: string[] = [];
  let ended = true;
  try {
    for await (const raw of source as AsyncIterable<unknown>) {
      result.total++;
      if (controller.signal.aborted) halt(new AbortError('the bulk run was aborted', { cause: controller.signal.reason }));
      if (stop) {
        await notAttempted(typeof raw === 'string' ? raw : String(raw));
        if (drain) continue;
        ended = false;
        break;
      }
      if (typeof raw !== 'string' || !USER_ID_PATTERN.test(raw)) {
        await report({ id: typeof raw === 'string' ? raw : String(raw), status: 'failed', error: badId(raw) });
        continue;
      }
      if (seen && !seen.add(raw)) {
        await report({ id: raw, status: 'skipped', reason: 'duplicate' });
        continue;
      }
      group.push(raw);
      if (group.length >= work.groupSize) {
        const g = group;
        group = [];
        await dispatch(g);
      }
    }
    if (group.length > 0) await dispatch(group);
  } catch (error) {
    // The source failed (a file that cannot be read): what was read still gets its outcomes.
    ended = false;
    halt(error instanceof Error ? error : new Error(String(error)));
    for (const id of group) await notAttempted(id);
  } finally {
    await Promise.all(running);
    userSignal?.removeEventListener('abort', onUserAbort);
  }
  result.complete = ended;
  if (callbackError) throw callbackError.error;
  if (stop) result.stoppedBy = stop;
  progress(true);
  return result;
}
