import { readFileSync } from 'node:fs';
import { type Emulator, type FaultAction, startEmulator } from 'tokenkit/emulator';
import { readReport } from '../../src/cli/report';
import { createUsersInBatches, emulatorEnv, finished, jsonLines, runCli, startCli, tempDir, whenDone, writeIds } from '../support/cli';
import { serverClientFor } from '../support/clients';

// A migration-sized run, end to end: 100,000 ids revoked by the CLI (a subprocess) against
// an emulator injecting faults, killed with SIGKILL halfway, resumed; every id must be revoked
// exactly once by the emulator's audit of applied writes. Then the same ids restored, stopped
// with Ctrl-C (SIGINT) halfway, and resumed.

jest.setTimeout(120_000);

const N = 100_000;
const tmp = tempDir();
let emulator: Emulator;
let env: Record<string, string>;
let ids: string[];
const idsFile = tmp.path('ids.txt');

beforeAll(async () => {
  emulator = await startEmulator({ maxWrites: 4 * N, maxIdempotencyKeys: 20_000 });
  env = emulatorEnv(emulator);
  ids = writeIds(idsFile, N);
  await createUsersInBatches(serverClientFor(emulator), ids, 8);
});
afterAll(async () => {
  await emulator.close();
  tmp.remove();
});

/** A fault every 20th request to PATCH /v1/users: 503, 500, dropped before and after the write, 429. */
function faultSequence(length: number): FaultAction[] {
  const faults: FaultAction[] = [503, 'drop_after', 500, 'drop', 429, 'drop_after'];
  return Array.from({ length }, (_, i) => (i % 20 === 7 ? (faults[(i / 20) % faults.length | 0] as FaultAction) : 'pass'));
}

/** How many applied writes set each user's cutoff (revoke or restore), by the emulator's audit. */
function cutoffWrites(): Map<string, number> {
  const per = new Map<string, number>();
  for (const w of emulator.writes({ field: 'revoke_tokens_issued_before', route: 'PATCH /v1/users' })) {
    per.set(w.userId as string, (per.get(w.userId as string) ?? 0) + 1);
  }
  return per;
}

function doneLines(reportPath: string): Set<number> {
  const lines = new Set<number>();
  for (const r of jsonLines(readFileSync(reportPath, 'utf8'))) if (r['type'] === 'item' && r['status'] === 'done') lines.add(r['line'] as number);
  return lines;
}

test('100,000 ids revoked with injected faults, killed (SIGKILL) halfway, resumed: each id revoked exactly once', async () => {
  const report = tmp.path('revoke.jsonl');
  emulator.faults.set({ routes: ['PATCH /v1/users'], sequence: faultSequence(4000), retryAfterSeconds: 0 });
  const child = startCli(['revoke', '--users-file', idsFile, '--report', report, '--concurrency', '16', '--progress-interval', '100'], { env });
  const first = finished(child);
  await whenDone(child, N * 0.4);
  child.kill('SIGKILL');
  const killed = await first;
  expect(killed.signal).toBe('SIGKILL');

  const state = await readReport(report);
  expect(state.done.size).toBeGreaterThanOrEqual(N * 0.4);
  expect(state.done.size).toBeLessThan(N);
  const appliedBeforeResume = cutoffWrites().size;
  expect(appliedBeforeResume).toBeGreaterThanOrEqual(state.done.size);

  const resumed = await runCli(['revoke', '--resume', report, '--concurrency', '16', '--quiet'], { env });
  expect(resumed.stderr).toMatch(/^revoke: [\d,]+ done, 0 failed, [\d,]+ skipped \([\d,]+ done by the earlier run\)/m);
  expect(resumed.code).toBe(0);

  const per = cutoffWrites();
  expect(per.size).toBe(N);
  const twice = [...per].filter(([, count]) => count !== 1);
  expect(twice).toEqual([]);
  const cutoff = state.run.before as string;
  for (const id of [ids[0], ids[N / 2], ids[N - 1]] as string[]) expect(emulator.user(id)?.revoke_tokens_issued_before?.toISOString()).toBe(cutoff);
  expect(doneLines(report).size).toBe(N);
  expect(emulator.faults.stats().injected).toBeGreaterThan(0);
});

test('the same ids restored, stopped with Ctrl-C halfway (exit 130, a valid report), resumed: each restored once', async () => {
  const report = tmp.path('restore.jsonl');
  emulator.faults.clear();
  const before = cutoffWrites();
  const child = startCli(['restore', '--users-file', idsFile, '--report', report, '--concurrency', '8', '--progress-interval', '100'], { env });
  const first = finished(child);
  await whenDone(child, N * 0.3);
  child.kill('SIGINT');
  const stopped = await first;
  expect(stopped.code).toBe(130);
  expect(stopped.stderr).toMatch(/stopping after the batches in flight/);
  expect(stopped.stderr).toMatch(/interrupted; continue with --resume/);

  const state = await readReport(report);
  expect(state.openBatches).toEqual([]); // every batch in flight finished and was reported
  const end = jsonLines(readFileSync(report, 'utf8')).pop();
  expect(end).toMatchObject({ type: 'end', interrupted: true, done: state.done.size });

  const resumed = await runCli(['restore', '--resume', report, '--quiet'], { env });
  expect(resumed.code).toBe(0);
  const after = cutoffWrites();
  expect([...after].filter(([id, count]) => count !== (before.get(id) ?? 0) + 1)).toEqual([]);
  expect(emulator.user(ids[N - 1] as string)?.revoke_tokens_issued_before).toBeNull();
  expect(doneLines(report).size).toBe(N);
});
