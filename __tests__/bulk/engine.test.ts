import { AbortError, ApiError, ArgumentError } from 'tokenkit';
import { type GroupOutcome, type GroupWork, runBulk } from '../../src/bulk/engine';
import type { BulkItem, BulkProgress } from '../../src/bulk/types';

/** A work that answers every id done (its value: the id upper-cased), recording what it saw. */
function recordingWork(groupSize: number, fail: (id: string) => Error | undefined = () => undefined) {
  const groups: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const work: GroupWork<string> = {
    groupSize,
    async run(ids) {
      groups.push(ids);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return ids.map((id): GroupOutcome<string> => {
        const e = fail(id);
        return e ? { ok: false, error: e } : { ok: true, value: id.toUpperCase() };
      });
    },
  };
  return { work, groups, maxInFlight: () => maxInFlight };
}

const ids = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function* slowly<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((r) => setImmediate(r));
    yield item;
  }
}

test('groups, bounded concurrency, every id exactly once', async () => {
  const { work, groups, maxInFlight } = recordingWork(10);
  const result = await runBulk(ids(95), work, { concurrency: 3 });
  expect(groups.map((g) => g.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
  expect(maxInFlight()).toBe(3);
  expect(result.total).toBe(95);
  expect(result.counts).toEqual({ done: 95, failed: 0, skipped: 0 });
  expect([...result.done].sort()).toEqual(ids(95).map((i) => i.toUpperCase()).sort());
  expect(result.complete).toBe(true);
});

test('an async source is read only as fast as the work goes', async () => {
  let read = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let readWhileBlocked = 0;
  async function* source(): AsyncGenerator<string> {
    for (let i = 0; i < 1000; i++) {
      read++;
      yield `s${i}`;
    }
  }
  const work: GroupWork<string> = {
    groupSize: 5,
    async run(batch) {
      await gate;
      return batch.map((id) => ({ ok: true, value: id }));
    },
  };
  const running = runBulk(source(), work, { concurrency: 2 });
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  readWhileBlocked = read;
  release();
  const result = await running;
  expect(readWhileBlocked).toBeLessThanOrEqual(15); // two groups in flight, a third waiting for a slot
  expect(result.counts.done).toBe(1000);
});

test('bad ids fail without reaching the work; duplicates are skipped, or passed with dedupe: false', async () => {
  const { work, groups } = recordingWork(100);
  const items: BulkItem<string>[] = [];
  const result = await runBulk(['a', 'bad id', 'b', 'a', 42 as unknown as string, ''], work, { onItem: (i) => void items.push(i) });
  expect(groups).toEqual([['a', 'b']]);
  expect(result.counts).toEqual({ done: 2, failed: 3, skipped: 1 });
  expect(result.skipped).toEqual(['a']);
  expect(result.failed.map((f) => [f.id, f.error instanceof ArgumentError])).toEqual([['bad id', true], ['42', true], ['', true]]);
  expect(items).toHaveLength(6);

  const again = recordingWork(100);
  await runBulk(['a', 'a'], again.work, { dedupe: false });
  expect(again.groups).toEqual([['a', 'a']]);
});

test('per-id failures are reported with their errors; a rejecting work fails its whole group', async () => {
  const { work } = recordingWork(2, (id) => (id === 'u3' ? new Error('nope') : undefined));
  const r1 = await runBulk(ids(5), work, {});
  expect(r1.failed.map((f) => [f.id, f.error.message])).toEqual([['u3', 'nope']]);
  const boom: GroupWork<string> = { groupSize: 3, run: () => Promise.reject(new Error('boom')) };
  const r2 = await runBulk(ids(4), boom, {});
  expect(r2.counts).toEqual({ done: 0, failed: 4, skipped: 0 });
  expect(r2.failed.every((f) => f.error.message === 'boom')).toBe(true);
});

test('an error every request would hit (401) stops the run; an array is still accounted for in full', async () => {
  const unauthorized = new ApiError({ status: 401, code: 2, message: 'api key unknown' });
  const { work, groups } = recordingWork(10, () => unauthorized);
  const result = await runBulk(ids(1000), work, { concurrency: 2 });
  expect(groups.length).toBeLessThanOrEqual(3);
  expect(result.stoppedBy).toBe(unauthorized);
  expect(result.total).toBe(1000);
  expect(result.counts.failed).toBe(1000);
  expect(result.complete).toBe(true);
  const notAttempted = result.failed.filter((f) => f.error instanceof AbortError);
  expect(notAttempted.length).toBeGreaterThanOrEqual(1000 - 30);
  expect(notAttempted[0]?.error.message).toMatch(/not attempted: api key unknown/);
});

test('abort: an async source stops being read (complete: false); every id read has an outcome', async () => {
  const controller = new AbortController();
  const { work } = recordingWork(10);
  const progress: BulkProgress[] = [];
  const result = await runBulk(slowly(ids(10_000)), work, {
    signal: controller.signal,
    onProgress: (p) => {
      progress.push(p);
      if (p.done >= 50) controller.abort();
    },
  });
  expect(result.complete).toBe(false);
  expect(result.stoppedBy).toBeInstanceOf(AbortError);
  expect(result.total).toBeLessThan(10_000);
  expect(result.counts.done + result.counts.failed + result.counts.skipped).toBe(result.total);
  expect(progress.at(-1)?.finished).toBe(true);
});

test('abort before the start: an array fails whole, nothing reaches the work', async () => {
  const { work, groups } = recordingWork(10);
  const result = await runBulk(ids(25), work, { signal: AbortSignal.abort() });
  expect(groups).toEqual([]);
  expect(result.counts).toEqual({ done: 0, failed: 25, skipped: 0 });
  expect(result.failed.every((f) => f.error instanceof AbortError)).toBe(true);
});

test('collect: false keeps no lists; onItem sees every id; an async onItem holds the run back', async () => {
  const { work } = recordingWork(7);
  const seen = new Set<string>();
  let pending = 0;
  let maxPending = 0;
  const result = await runBulk(ids(100), work, {
    collect: false,
    concurrency: 1,
    onItem: async (item) => {
      pending++;
      maxPending = Math.max(maxPending, pending);
      await new Promise((r) => setImmediate(r));
      seen.add(item.id);
      pending--;
    },
  });
  expect(result.done).toEqual([]);
  expect(result.counts.done).toBe(100);
  expect(seen.size).toBe(100);
  expect(maxPending).toBe(1);
});

test('a throwing onItem rejects the run with its error', async () => {
  const { work } = recordingWork(10);
  const err = new Error('disk full');
  await expect(runBulk(ids(50), work, { onItem: () => { throw err; } })).rejects.toBe(err);
});

test('a failing source: what was read keeps its outcomes, the run says why it stopped', async () => {
  async function* broken(): AsyncGenerator<string> {
    yield 'a';
    yield 'b';
    throw new Error('EIO: read failed');
  }
  const { work } = recordingWork(10);
  const result = await runBulk(broken(), work, {});
  expect(result.total).toBe(2);
  expect(result.complete).toBe(false);
  expect(result.stoppedBy?.message).toBe('EIO: read failed');
  expect(result.counts.done + result.counts.failed).toBe(2);
});
