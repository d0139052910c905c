// The report's lines: the item and batch records of plain ids are written by hand
// (src/cli/report.ts, recordLine), and must read exactly as JSON.stringify writes them; every other
// record goes through JSON.stringify. The report is read back by readReport as before. Records held
// (a finished batch's items, waiting for the next batch's record) go out with the next write.
import { readFileSync } from 'node:fs';
import { type RunRecord, ReportWriter, readReport } from '../../src/cli/report';
import { tempDir } from '../support/cli';

const run: RunRecord = {
  type: 'run',
  version: 1,
  command: 'revoke',
  run_id: 'run-lines',
  started_at: '2026-01-01T00:00:00.000Z',
  ids_file: 'ids.txt',
  ids_file_size: 6,
  batch_size: 100,
  before: '2026-01-01T00:00:00.000Z',
};

test('every record reads as JSON.stringify writes it, the hand-written item lines too', async () => {
  const dir = tempDir();
  const file = dir.path('report.jsonl');
  const records = [
    { type: 'batch', seq: 1, key: 'k-1', sent_at: '2026-01-01T00:00:00.000Z', items: [[1, 'a'], [2, 'b.c@d_e-f'], [3, 'x'.repeat(128)], [4, 'é']] },
    { type: 'item', line: 1, id: 'a', status: 'done', batch: 1 },
    { type: 'item', line: 2, id: 'b.c@d_e-f', status: 'skipped', batch: 1, error: { code: 16, message: 'user "b" not found "quoted"' } },
    { type: 'item', line: 3, id: 'x'.repeat(128), status: 'failed', batch: 1 },
    { type: 'item', line: 4, id: 'é', status: 'done', batch: 1 },
    { type: 'item', line: 5, status: 'failed', error: { code: 'ERR_INVALID_LINE', message: 'line 5: "a b" is not a valid user id' } },
    { type: 'item', line: 6, id: 'z', status: 'done', batch: 1, note: 'created' },
    { line: 7, type: 'item', id: 'reordered', status: 'done', batch: 1 },
  ] as const;
  const writer = ReportWriter.create(file, run);
  writer.write(records as never);
  writer.close();
  const lines = readFileSync(file, 'utf8').split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.slice(0, -1)).toEqual([run, ...records].map((r) => JSON.stringify(r)));
  const state = await readReport(file);
  expect(state.run.run_id).toBe('run-lines');
  expect(state.done.has(1)).toBe(true);
  expect(state.done.has(4)).toBe(true);
  dir.remove();
});

test('batch records of plain ids are written by hand as JSON.stringify writes them; any other goes through it', () => {
  const dir = tempDir();
  const file = dir.path('report.jsonl');
  const records = [
    { type: 'batch', seq: 2, key: '3cef02bd-0c1e-4b8e-9a55-6f0d2b1c9e77', sent_at: '2026-01-01T00:00:00.000Z', items: [[1, 'a'], [20, 'b.c@d_e-f'], [300, 'x'.repeat(128)]] },
    { type: 'batch', seq: 3, key: 'k/0/r', sent_at: '2026-01-01T00:00:00.001Z', items: [[9, 'solo']] },
    { type: 'batch', seq: 4, key: 'has "quotes" and \\', sent_at: '2026-01-01T00:00:00.002Z', items: [[1, 'a']] },
    { type: 'batch', seq: 5, key: 'k', sent_at: '2026-01-01T00:00:00.003Z', items: [[1, 'a b'], [2, 'é'], [3, 'ctl\u0001']] },
    { type: 'batch', seq: 6, key: 'ü', sent_at: '2026-01-01T00:00:00.004Z', items: [[1.5, 'a']] },
    { seq: 7, type: 'batch', key: 'reordered', sent_at: '2026-01-01T00:00:00.005Z', items: [[1, 'a']] },
    { type: 'batch', seq: 10, key: 'k', sent_at: 'now', items: [[0, 'z'], [9, 'a'], [10, 'b'], [99, 'c'], [100, 'd'], [-7, 'e'], [Number.MAX_SAFE_INTEGER, 'f']] },
    { type: 'batch', seq: 11, key: 'k', sent_at: 'now', items: [[1, 'a', 'extra'], [2, 'b']] },
    { type: 'item', line: 1_000_000, id: 'a', status: 'done', batch: 10_000 },
  ] as const;
  const writer = ReportWriter.create(file, run);
  writer.write(records as never);
  writer.close();
  const lines = readFileSync(file, 'utf8').split('\n').slice(1, -1);
  expect(lines).toEqual(records.map((r) => JSON.stringify(r)));
  dir.remove();
});

test('held records go out with the next write, before its records; close writes them; until then a kill leaves the batch open', async () => {
  const dir = tempDir();
  const file = dir.path('report.jsonl');
  const writer = ReportWriter.create(file, run);
  const batch = (seq: number, lines: number[]) => ({ type: 'batch' as const, seq, key: `k-${seq}`, sent_at: '2026-01-01T00:00:00.000Z', items: lines.map((l): [number, string] => [l, `u${l}`]) });
  const item = (line: number, batchSeq: number) => ({ type: 'item' as const, line, id: `u${line}`, status: 'done' as const, batch: batchSeq });
  const hold = (batchSeq: number, lines: number[]) => writer.items(batchSeq, lines.map((l) => ({ line: l, id: `u${l}` })), lines.map(() => ({ status: 'done' as const })), true);
  writer.write([batch(1, [1, 2])]);
  hold(1, [1, 2]);
  // What a hard kill now would leave: batch 1 open, its lines to be re-sent with its key.
  let state = await readReport(file);
  expect(state.openBatches.map((b) => b.record.key)).toEqual(['k-1']);
  expect(state.done.size).toBe(0);
  writer.write([batch(2, [3])]);
  expect(readFileSync(file, 'utf8').split('\n').slice(1, -1).map((l) => JSON.parse(l) as { type: string; line?: number; seq?: number })).toEqual([
    batch(1, [1, 2]),
    item(1, 1),
    item(2, 1),
    batch(2, [3]),
  ]);
  hold(2, [3]);
  writer.close();
  state = await readReport(file);
  expect(state.openBatches).toEqual([]);
  expect([1, 2, 3].every((l) => state.done.has(l))).toBe(true);
  dir.remove();
});

test('records held past the first 64 KiB: the buffer grows, and every line is whole', () => {
  const dir = tempDir();
  const file = dir.path('report.jsonl');
  const writer = ReportWriter.create(file, run);
  const id = 'x'.repeat(128);
  const held = Array.from({ length: 2000 }, (_, i) => ({ type: 'item' as const, line: i + 1, id, status: 'done' as const, batch: 1 }));
  writer.items(1, held, held.map(() => ({ status: 'done' as const })), true);
  writer.write([{ type: 'end', at: 'now', done: 2000, failed: 0, skipped: 0, interrupted: false }]);
  writer.close();
  const lines = readFileSync(file, 'utf8').split('\n').slice(1, -1);
  expect(lines).toHaveLength(2001);
  expect(lines.slice(0, 2000)).toEqual(held.map((r) => JSON.stringify(r)));
  dir.remove();
});

test('writeBatch and items write the records write() would, read from the lines and outcomes: by hand where plain, JSON.stringify otherwise', () => {
  const dir = tempDir();
  const file = dir.path('report.jsonl');
  const writer = ReportWriter.create(file, run);
  const lines = [
    { line: 1, id: 'a', offset: 2 },
    { line: 20, id: 'b.c@d_e-f', offset: 30 },
    { line: 300, id: 'x'.repeat(128), offset: 500 },
  ];
  const odd = [
    { line: 4, id: 'é' },
    { line: 5, id: 'a b' },
  ];
  writer.writeBatch(1, '3cef02bd-0c1e-4b8e-9a55-6f0d2b1c9e77', '2026-01-01T00:00:00.000Z', lines);
  writer.writeBatch(2, 'k', '2026-01-01T00:00:00.001Z', odd);
  writer.writeBatch(3, 'has "quotes"', 'now', lines.slice(0, 1));
  const outcomes = [
    { status: 'done' as const },
    { status: 'failed' as const, error: { code: 16, message: 'user "b.c@d_e-f" not found' } },
    { status: 'done' as const, note: 'created' as const, expires_at: 1_767_225_600_000 },
  ];
  writer.items(1, lines, outcomes, true);
  writer.items(2, odd, [{ status: 'skipped' }, { status: 'done' }], false);
  writer.close();
  const written = readFileSync(file, 'utf8').split('\n').slice(1, -1);
  expect(written).toEqual(
    [
      { type: 'batch', seq: 1, key: '3cef02bd-0c1e-4b8e-9a55-6f0d2b1c9e77', sent_at: '2026-01-01T00:00:00.000Z', items: lines.map((l) => [l.line, l.id]) },
      { type: 'batch', seq: 2, key: 'k', sent_at: '2026-01-01T00:00:00.001Z', items: odd.map((l) => [l.line, l.id]) },
      { type: 'batch', seq: 3, key: 'has "quotes"', sent_at: 'now', items: [[1, 'a']] },
      { type: 'item', line: 1, id: 'a', status: 'done', batch: 1 },
      { type: 'item', line: 20, id: 'b.c@d_e-f', status: 'failed', batch: 1, error: outcomes[1]!.error },
      { type: 'item', line: 300, id: 'x'.repeat(128), status: 'done', batch: 1, expires_at: 1_767_225_600_000, note: 'created' },
      { type: 'item', line: 4, id: 'é', status: 'skipped', batch: 2 },
      { type: 'item', line: 5, id: 'a b', status: 'done', batch: 2 },
    ].map((r) => JSON.stringify(r)),
  );
  dir.remove();
});
