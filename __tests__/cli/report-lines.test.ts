// The report's lines: the item records of plain ids are written by hand (src/cli/report.ts,
// recordLine), and must read exactly as JSON.stringify writes them; every other record goes
// through JSON.stringify. The report is read back by readReport as before.
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
