import { readFileSync } from 'node:fs';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { type BatchWork, type RunSummary, runBatches } from '../../src/cli/batch-run';
import { Platform } from '../../src/cli/platform';
import { Progress } from '../../src/cli/progress';
import { type ReportState, type RunRecord, ReportWriter, readReport } from '../../src/cli/report';
import type { Io } from '../../src/cli/run';
import { cutoffWork } from '../../src/cli/works';
import { createUsersInBatches, jsonLines, tempDir, writeIds } from '../support/cli';
import { serverClientFor } from '../support/clients';

// The batch engine in-process against a real emulator: what a hard kill leaves behind is built
// on purpose (a batch applied by the platform whose outcome never reached the report), so that
// the resume path is exercised every time, not only when a kill happens to land mid-flight.

const tmp = tempDir();
let emulator: Emulator;
let platform: Platform;
const silent: Io = { out: () => undefined, err: () => undefined, errIsTTY: false, env: {} };
const CUTOFF = new Date('2026-01-01T00:00:00.000Z');

beforeAll(async () => {
  emulator = await startEmulator({ maxWrites: 1_000_000, maxIdempotencyKeys: 100_000 });
  platform = new Platform({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url, maxRetries: 6 });
});
afterAll(async () => {
  await emulator.close();
  tmp.remove();
});
beforeEach(() => emulator.reset());

let runs = 0;
function header(idsFile: string, size: number): RunRecord {
  runs += 1;
  return {
    type: 'run',
    version: 1,
    command: 'revoke',
    run_id: `run-${runs}`,
    started_at: new Date().toISOString(),
    ids_file: idsFile,
    ids_file_size: size,
    batch_size: 50,
    before: CUTOFF.toISOString(),
  };
}

async function run(idsFile: string, report: ReportWriter, work: BatchWork, resume?: ReportState, extra: { replayWindowMs?: number; stopAfter?: number } = {}): Promise<RunSummary> {
  const stop = { requested: false };
  let batches = 0;
  const counted: BatchWork = {
    ...work,
    apply: async (items, key) => {
      const out = await work.apply(items, key);
      batches += 1;
      if (extra.stopAfter !== undefined && batches >= extra.stopAfter) stop.requested = true;
      return out;
    },
  };
  const summary = await runBatches({
    idsFile,
    report,
    resume,
    batchSize: 50,
    concurrency: 4,
    progress: new Progress(silent, { label: 't', totalIds: 1, enabled: false }),
    work: counted,
    stop,
    ...(extra.replayWindowMs !== undefined ? { replayWindowMs: extra.replayWindowMs } : {}),
  });
  report.close();
  return summary;
}

/** How many times each user's cutoff was written, by the emulator's audit. */
function writesPerUser(): Map<string, number> {
  const per = new Map<string, number>();
  for (const w of emulator.writes({ field: 'revoke_tokens_issued_before' })) per.set(w.userId as string, (per.get(w.userId as string) ?? 0) + 1);
  return per;
}

async function setup(n: number, name: string): Promise<{ ids: string[]; idsFile: string; reportPath: string }> {
  const idsFile = tmp.path(`${name}.txt`);
  const ids = writeIds(idsFile, n, `${name}-`);
  await createUsersInBatches(serverClientFor(emulator), ids);
  return { ids, idsFile, reportPath: tmp.path(`${name}.jsonl`) };
}

function expectEachOnce(ids: string[]): void {
  const per = writesPerUser();
  expect(per.size).toBe(ids.length);
  expect([...per.values()].every((c) => c === 1)).toBe(true);
  for (const id of ids) expect(emulator.user(id)?.revoke_tokens_issued_before?.toISOString()).toBe(CUTOFF.toISOString());
}

test('faults (503, dropped connections, answers lost after the write): every id done, each written once, each reported once', async () => {
  const { ids, idsFile, reportPath } = await setup(1000, 'faults');
  emulator.faults.set({ routes: ['PATCH /v1/users'], sequence: [503, 'pass', 'drop', 'drop_after', 'pass', 500, 'drop_after', 429], retryAfterSeconds: 0 });
  const summary = await run(idsFile, ReportWriter.create(reportPath, header(idsFile, 1)), cutoffWork(platform, CUTOFF));
  expect(summary).toMatchObject({ done: 1000, failed: 0, skipped: 0, interrupted: false });
  expect(emulator.faults.stats().injected).toBe(6);
  expectEachOnce(ids);
  const items = jsonLines(readFileSync(reportPath, 'utf8')).filter((r) => r['type'] === 'item');
  expect(new Set(items.map((r) => r['line'])).size).toBe(1000);
});

/** The work of a process killed right after the platform applied its `nth` batch, before the report heard of it. */
function dyingAfterApply(real: BatchWork, nth: number): BatchWork {
  let calls = 0;
  return {
    apply: async (items, key) => {
      const call = ++calls; // counted before the await: batches run concurrently
      const out = await real.apply(items, key);
      if (call === nth) throw new Error('killed after the platform applied the batch');
      return out;
    },
  };
}

test('a batch the platform applied but the report never heard of (a hard kill) is replayed on resume, not applied again', async () => {
  const { ids, idsFile, reportPath } = await setup(500, 'killed');
  const real = cutoffWork(platform, CUTOFF);
  const dying = dyingAfterApply(real, 3);
  const first = await run(idsFile, ReportWriter.create(reportPath, header(idsFile, 1)), dying);
  expect(first.fatal).toBeInstanceOf(Error);
  const state = await readReport(reportPath);
  expect(state.openBatches.length).toBeGreaterThanOrEqual(1);
  const applied = writesPerUser().size;
  expect(applied).toBeLessThan(500);

  const second = await run(idsFile, ReportWriter.reopen(reportPath), real, state);
  expect(second).toMatchObject({ failed: 0, interrupted: false });
  expect(second.done + second.doneBefore).toBe(500);
  expectEachOnce(ids);
});

test('past the replay window, a resumed run reads the users back: the applied ones are not written again', async () => {
  const { ids, idsFile, reportPath } = await setup(300, 'late');
  const real = cutoffWork(platform, CUTOFF);
  const dying = dyingAfterApply(real, 2);
  await run(idsFile, ReportWriter.create(reportPath, header(idsFile, 1)), dying);
  const state = await readReport(reportPath);
  // A window of 0: every open batch counts as too old for the platform to replay.
  const second = await run(idsFile, ReportWriter.reopen(reportPath), real, state, { replayWindowMs: 0 });
  expect(second).toMatchObject({ failed: 0 });
  expectEachOnce(ids);
});

test('unknown users fail alone (the batch is split until they are found); the others are done, once', async () => {
  const idsFile = tmp.path('mixed.txt');
  const reportPath = tmp.path('mixed.jsonl');
  const ids = writeIds(idsFile, 200, 'mixed-');
  const known = ids.filter((_, i) => i % 37 !== 5);
  await createUsersInBatches(serverClientFor(emulator), known);
  const summary = await run(idsFile, ReportWriter.create(reportPath, header(idsFile, 1)), cutoffWork(platform, CUTOFF));
  expect(summary).toMatchObject({ done: known.length, failed: ids.length - known.length });
  expectEachOnce(known);
  const failed = jsonLines(readFileSync(reportPath, 'utf8')).filter((r) => r['status'] === 'failed');
  expect(failed.map((r) => r['id']).sort()).toEqual(ids.filter((id) => !known.includes(id)).sort());
  expect(failed.every((r) => (r['error'] as { code: unknown }).code === 16)).toBe(true);
});

test('stop (Ctrl-C): the batches in flight finish, the report is valid, and a resumed run does the rest once', async () => {
  const { ids, idsFile, reportPath } = await setup(1000, 'stopped');
  const work = cutoffWork(platform, CUTOFF);
  const first = await run(idsFile, ReportWriter.create(reportPath, header(idsFile, 1)), work, undefined, { stopAfter: 2 });
  expect(first.interrupted).toBe(true);
  expect(first.done).toBeLessThan(1000);
  const state = await readReport(reportPath);
  expect(state.openBatches).toEqual([]);
  expect(state.done.size).toBe(first.done);
  const second = await run(idsFile, ReportWriter.reopen(reportPath), work, state);
  expect(second).toMatchObject({ done: 1000 - first.done, skipped: first.done, failed: 0, interrupted: false });
  expectEachOnce(ids);
});

test('one report write a batch: the items of a finished batch go out with the record of the next, each after its own batch record', async () => {
  const { ids, idsFile, reportPath } = await setup(1000, 'one-write');
  const write = jest.spyOn(ReportWriter.prototype, 'write');
  try {
    const summary = await run(idsFile, ReportWriter.create(reportPath, header(idsFile, 1)), cutoffWork(platform, CUTOFF));
    expect(summary).toMatchObject({ done: 1000, failed: 0 });
    // 20 batches of 50: a write each (with the items held), then at most one for the items held at
    // the end of the file and one for each batch still in flight (4), where two writes a batch took 40.
    expect(write.mock.calls.length).toBeLessThanOrEqual(20 + 1 + 4);
  } finally {
    write.mockRestore();
  }
  const records = jsonLines(readFileSync(reportPath, 'utf8')) as Array<{ type: string; seq?: number; batch?: number; line?: number }>;
  const written = new Set<number>();
  const reported = new Set<number>();
  for (const r of records) {
    if (r.type === 'batch') written.add(r.seq!);
    if (r.type === 'item') {
      expect(written.has(r.batch!)).toBe(true);
      reported.add(r.line!);
    }
  }
  expect(written.size).toBe(20);
  expect(reported.size).toBe(1000);
  expectEachOnce(ids);
});

test('Platform.setCutoffs checks ids it is not told are checked: an invalid or repeated one is refused before anything is sent, naming its entry', async () => {
  await platform.client.upsertUsers([{ id: 'sc-1' }, { id: 'sc-2' }]);
  await expect(platform.setCutoffs(['sc-1', 'not valid'], CUTOFF, 'sc-key-1')).rejects.toThrow(
    expect.objectContaining({ name: 'ArgumentError', message: expect.stringMatching(/users\.1\.id/) }),
  );
  await expect(platform.setCutoffs(['sc-1', 'sc-2', 'sc-1'], CUTOFF, 'sc-key-2')).rejects.toThrow(
    expect.objectContaining({ name: 'ArgumentError', message: expect.stringMatching(/users\.2\.id/) }),
  );
  expect((await platform.client.getUser('sc-1')).revoke_tokens_issued_before).toBeNull();
  await platform.setCutoffs(['sc-1', 'sc-2'], CUTOFF, 'sc-key-3', true);
  expect((await platform.client.getUser('sc-2')).revoke_tokens_issued_before?.getTime()).toBe(CUTOFF.getTime());
});
