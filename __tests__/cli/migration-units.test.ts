// The small pieces of the CLI's migration work (users commands, --missing, dry runs, signals), without a subprocess.
import { reasonLines } from '../../src/cli/batch-command';
import { shellWord } from '../../src/cli/emulator-command';
import { oneLineError } from '../../src/cli/exit-codes';
import { countLines } from '../../src/cli/id-lines';
import { retryNote } from '../../src/cli/platform';
import { csvFields } from '../../src/cli/users-command';
import { tempDir } from '../support/cli';
import { writeFileSync } from 'node:fs';

test('CSV cells: plain, quoted with commas and doubled quotes, empty; an open quote is refused', () => {
  expect(csvFields('alice,Alice,blue')).toEqual(['alice', 'Alice', 'blue']);
  expect(csvFields('bob,"Bob, ""the"" Builder",')).toEqual(['bob', 'Bob, "the" Builder', '']);
  expect(csvFields('')).toEqual(['']);
  expect(csvFields('carol,"open')).toBeUndefined();
});

test('a commander error becomes one tokenkit: line; a secret-looking flag points to --api-secret-file', () => {
  expect(oneLineError("error: unknown option '--bogus'\n", '(run "tokenkit revoke --help" for usage)')).toBe(
    'tokenkit: unknown option \'--bogus\' (run "tokenkit revoke --help" for usage)',
  );
  for (const flag of ['--api-secret', '--secret', '--apiSecret', '--client-secret=abc']) {
    const line = oneLineError(`error: unknown option '${flag}'\n(Did you mean --api-secret-file?)`, '');
    expect(line).toMatch(/^tokenkit: there is no --[\w-]+ flag: .* --api-secret-file FILE/);
    expect(line).not.toContain('abc');
    expect(line).not.toContain('\n');
  }
});

test('shell words: safe values as they are, others single-quoted', () => {
  expect(shellWord('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
  expect(shellWord("it's a key")).toBe(`'it'\\''s a key'`);
});

test('retry notes and reasons say what happened in words', () => {
  const base = { method: 'PATCH', path: '/v1/users', ms: 1, requestId: undefined, attempt: 3, maxAttempts: 7, retryInMs: 2000 };
  expect(retryNote({ ...base, status: undefined, error: 'ConnectionError' })).toBe('platform unreachable: attempt 3 of 7, next in 2.0 s');
  expect(retryNote({ ...base, status: 429 })).toBe('rate limited (429): attempt 3 of 7, next in 2.0 s');
  expect(reasonLines([{ status: 'failed', code: 16, count: 2000 }, { status: 'failed', code: 'ERR_INVALID_LINE', count: 1 }, { status: 'done', code: 'created', count: 5 }])).toEqual([
    '  failed: 2,000 unknown users (16); 1 lines that are not valid (ERR_INVALID_LINE)',
    '  done: 5 users created first (--missing create)',
  ]);
});

test('countLines counts the lines that hold something, with or without a final line break', async () => {
  const tmp = tempDir();
  try {
    writeFileSync(tmp.path('a.txt'), 'a\n\n  \nb\r\nc');
    expect(await countLines(tmp.path('a.txt'))).toBe(3);
    writeFileSync(tmp.path('b.txt'), '');
    expect(await countLines(tmp.path('b.txt'))).toBe(0);
  } finally {
    tmp.remove();
  }
});
