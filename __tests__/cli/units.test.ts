import { writeFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { exitCodeOf } from '../../src/cli/exit-codes';
import { buildProgram } from '../../src/cli/main';
import { MAX_LINE_BYTES, type IdLine, countLines, readIdChunks, readIdLines } from '../../src/cli/id-lines';
import { LineSet } from '../../src/cli/line-set';
import { parseIsoDate, parsePositiveInt, parseUserId } from '../../src/cli/parse';
import { Progress, fmt } from '../../src/cli/progress';
import { durationInWords, relativeTime, shortToken } from '../../src/cli/time-words';
import { decodeToken, timeLines } from '../../src/cli/token-command';
import type { Io } from '../../src/cli/run';
import { tempDir } from '../support/cli';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function lines(text: string | Buffer): Promise<IdLine[]> {
  const path = tmp.path(`ids-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(path, text);
  const out: IdLine[] = [];
  for await (const l of readIdLines(path)) out.push(l);
  return out;
}

describe('readIdLines', () => {
  test('numbers lines from 1, skips blank ones, trims spaces and CR', async () => {
    const got = await lines('alice\n\n  bob \r\n\r\ncarol');
    expect(got.map((l) => [l.line, l.id])).toEqual([
      [1, 'alice'],
      [3, 'bob'],
      [5, 'carol'],
    ]);
    expect(got[2]?.offset).toBe(Buffer.byteLength('alice\n\n  bob \r\n\r\ncarol'));
  });

  test('an invalid line comes back with its number and why, and the next lines still come', async () => {
    const got = await lines('ok1\nnot valid!\nok2\n');
    expect(got[1]).toMatchObject({ line: 2 });
    expect(got[1]?.error).toMatch(/^line 2: "not valid!" is not a valid user id/);
    expect(got[2]).toMatchObject({ line: 3, id: 'ok2' });
  });

  test('a line longer than the limit is refused without being kept, across chunks, and the count stays right', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES * 200);
    const got = await lines(`a\n${long}\nb\n${long}`);
    expect(got.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    expect(got[1]?.error).toMatch(/longer than/);
    expect(got[2]?.id).toBe('b');
    expect(got[3]?.error).toMatch(/longer than/);
  });

  test('an id of 129 characters and invalid UTF-8 are invalid lines', async () => {
    const got = await lines(Buffer.concat([Buffer.from('a'.repeat(129) + '\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('z\n')]));
    expect(got[0]?.error).toMatch(/at most 128/);
    expect(got[1]?.error).toMatch(/^line 2:/);
    expect(got[2]).toMatchObject({ line: 3, id: 'z' });
  });

  test('streams a large file in chunks: 200,000 lines, the last offset is the file size', async () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `user-${i}`).join('\n') + '\n';
    const got = await lines(text);
    expect(got).toHaveLength(200_000);
    expect(got[199_999]).toMatchObject({ line: 200_000, id: 'user-199999', offset: Buffer.byteLength(text) });
  });
  test('ASCII chunks (decoded at once) and chunks with other bytes read alike: lines across chunks, offsets in bytes', async () => {
    // Chunks of 16 KiB: ids, then a line that is not UTF-8-only ASCII, lines cut by the chunk ends.
    const parts: string[] = [];
    for (let i = 0; i < 60_000; i++) parts.push(i === 30_000 ? 'café' : i % 7_001 === 0 ? `  pad-${i}\r` : `user-${i}`);
    const text = parts.join('\n') + '\n';
    const got = await lines(text);
    expect(got).toHaveLength(60_000);
    // Every line is checked; the mismatches are collected (one expect each would be 180,000 calls).
    const wrong: string[] = [];
    let offset = 0;
    parts.forEach((part, i) => {
      offset += Buffer.byteLength(part) + 1;
      const l = got[i]!;
      if (l.line !== i + 1) wrong.push(`line ${i + 1}: numbered ${l.line}`);
      if (l.offset !== offset) wrong.push(`line ${i + 1}: offset ${l.offset}, expected ${offset}`);
      if (i !== 30_000 && l.id !== part.trim()) wrong.push(`line ${i + 1}: id ${JSON.stringify(l.id)}, expected ${JSON.stringify(part.trim())}`);
    });
    expect(wrong).toEqual([]);
    expect(got[30_000]!.error).toMatch(/^line 30001: "café" is not a valid user id/);
  });
});

describe('readIdChunks and countLines', () => {
  test('the chunks hold the lines readIdLines gives, in order; countLines counts the lines that hold more than spaces', async () => {
    // Over 1 MiB (countLines' chunk): blank lines of spaces, tabs and CR, lines cut by both chunk sizes, no newline at the end.
    const parts: string[] = [];
    for (let i = 0; i < 120_000; i++) parts.push(i % 997 === 0 ? ' \t\r' : i % 1_009 === 0 ? '' : i % 1_013 === 0 ? `  u-${i}  ` : `user-${i}`);
    const text = parts.join('\n') + '\nlast-without-newline';
    const path = tmp.path('chunks.txt');
    writeFileSync(path, text);
    const chunked: IdLine[] = [];
    let chunks = 0;
    for await (const c of readIdChunks(path)) {
      chunks += 1;
      chunked.push(...c);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(chunked).toEqual(await lines(text));
    const filled = parts.filter((p) => p.trim() !== '').length + 1;
    expect(chunked).toHaveLength(filled);
    expect(await countLines(path)).toBe(filled);
    writeFileSync(path, ' \r\n\t\n');
    expect(await countLines(path)).toBe(0);
    writeFileSync(path, 'a');
    expect(await countLines(path)).toBe(1);
    writeFileSync(path, `${' '.repeat(2 * 1024 * 1024)}x\n${' '.repeat(1024 * 1024 + 5)}\n`);
    expect(await countLines(path)).toBe(1);
  });
});

describe('buildProgram', () => {
  test('the command named on the command line is registered alone, with the same options, help and subcommands; anything else gets every command', () => {
    const all = buildProgram([]);
    const names = all.commands.map((c) => c.name()).sort();
    expect(names).toEqual(['demo', 'emulator', 'issue', 'restore', 'revoke', 'secret', 'token', 'users']);
    const help = (c: (typeof all.commands)[number]): string[] => [c.helpInformation(), ...c.commands.flatMap(help)];
    for (const name of names) {
      const one = buildProgram(['node', 'tokenkit', name, '--whatever']);
      expect(one.commands.map((c) => c.name())).toEqual(name === 'revoke' || name === 'restore' ? ['revoke', 'restore'] : [name]);
      const alone = one.commands.find((c) => c.name() === name)!;
      expect(help(alone)).toEqual(help(all.commands.find((c) => c.name() === name)!));
      expect(alone.options.map((o) => o.flags)).toEqual(all.commands.find((c) => c.name() === name)!.options.map((o) => o.flags));
    }
    for (const argv of [[], ['--help'], ['help', 'revoke'], ['-V'], ['revok'], ['constructor']]) {
      expect(buildProgram(['node', 'tokenkit', ...argv]).commands.map((c) => c.name()).sort()).toEqual(names);
    }
  });
});

describe('fmt', () => {
  test('groups thousands as toLocaleString("en-US") does, whole numbers by hand', () => {
    const values = [0, -0, 1, 12, 123, 999, 1000, 1234, 12345, 123456, 1234567, 100000, 1000000, -1, -1234, -1234567, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (const n of [...values, 2 ** 60, 1234.5, 0.25, Number.NaN, Infinity]) expect(fmt(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('LineSet', () => {
  test('adds, finds and counts line numbers, growing past its first size', () => {
    const s = new LineSet();
    expect(s.add(3)).toBe(true);
    expect(s.add(3)).toBe(false);
    expect(s.add(1_000_000)).toBe(true);
    expect(s.has(3) && s.has(1_000_000)).toBe(true);
    expect(s.has(4) || s.has(999_999) || s.has(5_000_000)).toBe(false);
    expect(s.size).toBe(2);
  });
});

describe('exit codes', () => {
  test.each([
    ['commander.unknownOption', 1, 2],
    ['commander.missingArgument', 1, 2],
    ['commander.invalidArgument', 1, 2],
    ['commander.unknownCommand', 1, 2],
    ['commander.help', 1, 2],
    ['commander.helpDisplayed', 0, 0],
    ['commander.version', 0, 0],
  ])('%s (commander exit %i) becomes %i', (code, commanderExit, expected) => {
    expect(exitCodeOf(new CommanderError(commanderExit, code, 'message'))).toBe(expected);
  });
});

describe('argument parsers', () => {
  test.each(['', 'has space', 'x'.repeat(129), 'a/b'])('refuses the user id %j', (v) => {
    expect(() => parseUserId(v)).toThrow(/not a valid user id/);
  });
  test.each([
    ['0', /from 1 to 10/],
    ['11', /from 1 to 10/],
    ['1.5', /whole number/],
    ['-1', /whole number/],
    ['ten', /whole number/],
  ])('refuses %j as a number from 1 to 10', (v, message) => {
    expect(() => parsePositiveInt(v, '--n', 10)).toThrow(message);
  });
  test('dates need a time zone; "now" is now', () => {
    expect(parseIsoDate('2026-01-01T00:00:00.123Z').toISOString()).toBe('2026-01-01T00:00:00.123Z');
    expect(parseIsoDate('2026-01-01T01:00:00+01:00').toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseIsoDate('2026-01-01')).toThrow(/time zone/);
    expect(() => parseIsoDate('2026-02-31T00:00:00Z').getTime()).toThrow(/not a real date|RFC 3339/);
    expect(Math.abs(parseIsoDate('now').getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe('times in words and shortened tokens', () => {
  test.each([
    [0, 'just now'],
    [-3 * 60_000, '3 minutes ago'],
    [57 * 60_000, 'in 57 minutes'],
    [599_000, 'in 10 minutes'],
    [3_599_000, 'in 1 hour'],
    [-86_400_000, '1 day ago'],
    [7 * 86_400_000, 'in 7 days'],
    [-1500, '2 seconds ago'],
  ])('%i ms from now is "%s"', (delta, words) => {
    expect(relativeTime(1_800_000_000_000 + delta, 1_800_000_000_000)).toBe(words);
  });
  test('durations below a second are in ms', () => {
    expect(durationInWords(250)).toBe('250 ms');
  });
  test('a token is shortened to 12 characters and an ellipsis; a short one is not shown at all', () => {
    expect(shortToken('eyJhbGciOiJIUzI1NiJ9.payload.signature')).toBe('eyJhbGciOiJI…');
    expect(shortToken('short')).toBe('…');
  });
});

describe('decodeToken', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  test('reads header and claims without a secret, and tells a dev token', () => {
    const d = decodeToken(`${b64({ alg: 'HS256' })}.${b64({ user_id: 'a', exp: 1 })}.devtoken`);
    expect(d).toEqual({ header: { alg: 'HS256' }, claims: { user_id: 'a', exp: 1 }, kind: 'dev' });
  });
  test.each([
    ['opaque', /no dots .*legacy session token/],
    ['a.b', /three dot-separated parts, found 2/],
    ['!!.e30.x', /header is not base64url/],
    [`${Buffer.from('{"alg":"HS256"}').toString('base64url')}.bm90IGpzb24.x`, /payload is not base64url/],
  ])('explains why %j is not a JWT', (token, message) => {
    const d = decodeToken(token);
    expect('error' in d && d.error).toMatch(message);
  });
  test('puts the times in words and flags a missing exp and iat', () => {
    const now = 1_800_000_000_000;
    expect(timeLines({ iat: now / 1000 - 180, exp: now / 1000 + 3420 }, now)).toEqual([
      'issued:     2027-01-15T07:57:00.000Z (issued 3 minutes ago)',
      'expires:    2027-01-15T08:57:00.000Z (expires in 57 minutes)',
    ]);
    expect(timeLines({ exp: 'soon' }, now).join('\n')).toMatch(/not a number of seconds.*43[\s\S]*no iat/);
    expect(timeLines({}, now).join('\n')).toMatch(/never \(no exp claim\)/);
  });
});

describe('Progress', () => {
  afterEach(() => jest.useRealTimers());

  function recorder(tty: boolean): Io & { text: () => string } {
    let err = '';
    return { out: () => undefined, err: (t) => void (err += t), errIsTTY: tty, env: {}, text: () => err };
  }

  test('off a terminal: a plain line in ids every interval, with rate and ETA, none after stop', () => {
    jest.useFakeTimers();
    const io = recorder(false);
    const p = new Progress(io, { label: 'revoke', totalIds: 2406, intervalMs: 1000 });
    p.update({ done: 0, failed: 0, skipped: 0, offset: 0 });
    jest.advanceTimersByTime(1000);
    p.update({ done: 1200, failed: 3, skipped: 0, offset: 500 });
    jest.advanceTimersByTime(1500);
    const printed = io.text().split('\n').filter(Boolean);
    expect(printed).toHaveLength(2);
    expect(printed[1]).toMatch(/^revoke: 1,203 of 2,406 ids \(50%\), 1,200 done, 3 failed, 0 skipped, [\d,]+ ids\/s, ETA \d+ s$/);
    p.stop();
    jest.advanceTimersByTime(5000);
    expect(io.text().split('\n').filter(Boolean)).toHaveLength(2);
  });

  test('a retry wait is shown at once, and in the lines until requests are answered again', () => {
    jest.useFakeTimers();
    const io = recorder(false);
    const p = new Progress(io, { label: 'revoke', totalIds: 100, intervalMs: 1000 });
    p.update({ done: 0, failed: 0, skipped: 0, offset: 0 });
    p.note('platform unreachable: attempt 3 of 7, next in 2 s');
    expect(io.text()).toBe('revoke: platform unreachable: attempt 3 of 7, next in 2 s\n');
    jest.advanceTimersByTime(1000);
    expect(io.text()).toMatch(/0 of 100 ids .*; platform unreachable: attempt 3 of 7, next in 2 s\n$/);
    p.update({ done: 100, failed: 0, skipped: 0, offset: 0 });
    expect(p.line()).not.toMatch(/unreachable/);
    p.stop();
  });

  test('on a terminal: a bar redrawn in place, ended with a line break', () => {
    const io = recorder(true);
    const p = new Progress(io, { label: 'issue', totalIds: 40 });
    p.update({ done: 10, failed: 0, skipped: 0, offset: 25 });
    p.stop();
    expect(io.text()).toMatch(/^\r\x1b\[Kissue \[######\.{18}\] 25% 10 done, 0 failed, 0 skipped/);
    expect(io.text().endsWith('\n')).toBe(true);
  });

  test('quiet: nothing at all', () => {
    jest.useFakeTimers();
    const io = recorder(false);
    const p = new Progress(io, { label: 'x', totalIds: 1, enabled: false, intervalMs: 10 });
    p.update({ done: 1, failed: 0, skipped: 0, offset: 1 });
    jest.advanceTimersByTime(100);
    p.stop();
    expect(io.text()).toBe('');
  });
});
