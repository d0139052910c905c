import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { CliError } from '../../src/cli/exit-codes';
import { type RunRecord, ReportWriter, readReport } from '../../src/cli/report';
import { tempDir } from '../support/cli';

const tmp = tempDir();
afterAll(() => tmp.remove());

const run: RunRecord = {
  type: 'run',
  version: 1,
  command: 'revoke',
  run_id: 'r1',
  started_at: '2026-01-01T00:00:00.000Z',
  ids_file: '/ids.txt',
  ids_file_size: 100,
  batch_size: 2,
  before: '2026-01-01T00:00:00.000Z',
};

let n = 0;
function fresh(): string {
  n += 1;
  return tmp.path(`report-${n}.jsonl`);
}

function writeRun(path: string): ReportWriter {
  const w = ReportWriter.create(path, run);
  w.write([
    { type: 'batch', seq: 1, key: 'k1', sent_at: '2026-01-01T00:00:01.000Z', items: [[1, 'a'], [2, 'b']] },
    { type: 'batch', seq: 2, key: 'k2', sent_at: '2026-01-01T00:00:01.000Z', items: [[3, 'c'], [4, 'd']] },
    { type: 'batch', seq: 3, key: 'k3', sent_at: '2026-01-01T00:00:01.000Z', items: [[6, 'f']] },
    { type: 'item', line: 1, id: 'a', status: 'done', batch: 1 },
    { type: 'item', line: 2, id: 'b', status: 'done', batch: 1 },
    { type: 'item', line: 3, id: 'c', status: 'done', batch: 2 },
    { type: 'item', line: 4, id: 'd', status: 'failed', batch: 2, error: { code: 503, message: 'unavailable' } },
    { type: 'item', line: 5, status: 'failed', error: { code: 'ERR_INVALID_LINE', message: 'line 5: bad' } },
  ]);
  return w;
}

describe('the report', () => {
  test('a resumed run knows the lines done, and the batches still open with their keys', async () => {
    const path = fresh();
    writeRun(path).close();
    const state = await readReport(path);
    expect(state.run).toEqual(run);
    expect([1, 2, 3, 4, 5, 6].map((l) => state.done.has(l))).toEqual([true, true, true, false, false, false]);
    // Batch 2 has a failed item: it is re-sent whole with its key (the done item is not reported again).
    expect(state.openBatches.map((b) => [b.record.seq, b.record.key, [...b.done]])).toEqual([
      [2, 'k2', [3]],
      [3, 'k3', []],
    ]);
    expect([3, 4, 5, 6].map((l) => state.covered.has(l))).toEqual([false, true, false, true]);
    expect(state.lastSeq).toBe(3);
  });

  test('a last line cut short by a hard kill is skipped, and cut off before the report is continued', async () => {
    const path = fresh();
    writeRun(path).close();
    appendFileSync(path, '{"type":"item","line":6,"id":"f","sta');
    const state = await readReport(path);
    expect(state.done.has(6)).toBe(false);
    const w = ReportWriter.reopen(path);
    w.write([{ type: 'item', line: 6, id: 'f', status: 'done', batch: 3 }]);
    w.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.every((l) => JSON.parse(l) !== null)).toBe(true);
    expect((await readReport(path)).openBatches.map((b) => b.record.seq)).toEqual([2]);
  });

  test('a damaged line in the middle is refused with its number', async () => {
    const path = fresh();
    writeRun(path).close();
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[3] = '{"type":"batch",';
    writeFileSync(path, lines.join('\n'));
    await expect(readReport(path)).rejects.toThrow(/damaged at line 4/);
  });

  test.each([
    ['not a report', '{"hello":1}\n', /not a tokenkit report/],
    ['empty', '', /not a tokenkit report/],
  ])('%s: refused', async (_name, text, message) => {
    const path = fresh();
    writeFileSync(path, text);
    await expect(readReport(path)).rejects.toThrow(message);
  });

  test('a missing report is a usage error (exit 2)', async () => {
    const err = await readReport(tmp.path('missing.jsonl')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 2, message: expect.stringMatching(/no such file/) });
  });

  test('a new report never overwrites a file', () => {
    const path = fresh();
    writeFileSync(path, 'precious');
    expect(() => ReportWriter.create(path, run)).toThrow(/exists already: continue its run with --resume/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });
});
