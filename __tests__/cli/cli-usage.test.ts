import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { type CliResult, createUsersInBatches, emulatorEnv, jsonLines, runCli, tempDir, writeIds } from '../support/cli';
import { serverClientFor } from '../support/clients';

// The CLI as a subprocess: help, bad flags, missing files and configuration, unreadable lines,
// wrong credentials. Each ends with a clear message and the exit code scripts rely on
// (0 ok, 1 failed items, 2 usage or configuration).

const tmp = tempDir();
let emulator: Emulator;
let env: Record<string, string>;
let idsFile: string;

beforeAll(async () => {
  emulator = await startEmulator();
  env = emulatorEnv(emulator);
  idsFile = tmp.path('ids.txt');
  await createUsersInBatches(serverClientFor(emulator), writeIds(idsFile, 20));
});
afterAll(async () => {
  await emulator.close();
  tmp.remove();
});

describe('help', () => {
  test('tokenkit --help lists every command; every command has --help (exit 0)', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['emulator', 'token', 'revoke', 'restore', 'issue', 'secret', 'demo']) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const commands = [['token'], ['token', 'mint'], ['token', 'decode'], ['token', 'verify'], ['revoke'], ['restore'], ['issue'], ['secret'], ['secret', 'add'], ['secret', 'promote'], ['secret', 'retire'], ['secret', 'list'], ['demo'], ['emulator']];
    const results = await Promise.all(commands.map((c) => runCli([...c, '--help'])));
    results.forEach((r, i) => {
      expect({ command: commands[i], code: r.code }).toEqual({ command: commands[i], code: 0 });
      expect(r.stdout).toMatch(/^Usage: tokenkit /);
    });
  });

  test('tokenkit --version prints the package version (exit 0)', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect({ code: r.code, stdout: r.stdout.trim() }).toEqual({ code: 0, stdout: version });
  });
});

const USAGE_CASES: Array<[string[], RegExp]> = [
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['revoke', '--bogus'], /unknown option '--bogus'/],
  [['revoke'], /say whose tokens: --user ID, --users-file FILE or --app/],
  [['revoke', '--user', 'a', '--app'], /give only one of --user, --app/],
  [['revoke', '--app'], /revoke --app needs --before/],
  [['revoke', '--user', 'not valid!'], /argument 'not valid!' is invalid\. not a valid user id/],
  [['revoke', '--users-file', 'x', '--concurrency', '0'], /--concurrency must be from 1 to 64/],
  [['revoke', '--users-file', 'x', '--before', 'yesterday'], /RFC 3339 date with a time zone/],
  [['restore', '--user', 'a', '--before', 'now'], /unknown option '--before'/],
  [['revoke', '--user', 'a', '--report', 'r.jsonl'], /--report goes with --users-file/],
  [['token', 'mint'], /required option '--user <id>' not specified/],
  [['token', 'verify'], /missing required argument 'token'/],
  [['token'], /Usage: tokenkit token/],
  [['issue', '--users-file', 'x', '--expires-at', '2001-01-01T00:00:00Z'], /--expires-at 2001-01-01T00:00:00.000Z is in the past/],
];

describe('usage errors: exit 2 with a message naming the problem', () => {
  // Spawned all at once (each is a new node process), checked one by one.
  let results: Map<string, CliResult>;
  beforeAll(async () => {
    const all = await Promise.all(USAGE_CASES.map(([args]) => runCli(args, { env })));
    results = new Map(USAGE_CASES.map(([args], i) => [JSON.stringify(args), all[i] as CliResult]));
  });

  test.each(USAGE_CASES)('tokenkit %j', (args, message) => {
    const r = results.get(JSON.stringify(args)) as CliResult;
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  test('a missing ids file: exit 2, before anything is sent', async () => {
    const r = await runCli(['revoke', '--users-file', tmp.path('nope.txt')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the ids file ".*nope\.txt": no such file/);
  });

  test('missing configuration names every missing piece and where to give it', async () => {
    const r = await runCli(['revoke', '--users-file', idsFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing configuration: the API key \(--api-key or TOKENKIT_API_KEY\); the app secret \(--api-secret-file FILE or TOKENKIT_API_SECRET\); the platform URL/);
  });

  test('a report that exists is never overwritten; a resumed report must be of the same command and file', async () => {
    const report = tmp.path('exists.jsonl');
    writeFileSync(report, 'keep me');
    const r1 = await runCli(['revoke', '--users-file', idsFile, '--report', report], { env });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/exists already: continue its run with --resume/);

    const done = tmp.path('restore-run.jsonl');
    const ok = await runCli(['restore', '--users-file', idsFile, '--report', done, '--quiet'], { env });
    expect(ok.code).toBe(0);
    const other = await runCli(['revoke', '--resume', done], { env });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/is the report of a "restore" run, not "revoke"/);

    const changed = tmp.path('changed.txt');
    writeIds(changed, 5);
    const r2 = await runCli(['restore', '--resume', done, '--users-file', changed], { env });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/has changed since the run .* it needs the same file/);
  });
});

describe('failed items: exit 1', () => {
  test('an unreadable line is a failed item with its line number; the other lines are done', async () => {
    const file = tmp.path('one-bad.txt');
    writeFileSync(file, 'u1\nu2\nnot an id!\n\nu3\n');
    const report = tmp.path('one-bad.jsonl');
    const r = await runCli(['revoke', '--users-file', file, '--report', report], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/revoke: 3 done, 1 failed, 0 skipped/);
    const failed = jsonLines(readFileSync(report, 'utf8')).filter((l) => l['status'] === 'failed');
    expect(failed).toEqual([
      { type: 'item', line: 3, status: 'failed', error: { code: 'ERR_INVALID_LINE', message: 'line 3: "not an id!" is not a valid user id (may only hold the characters A-Z a-z 0-9 @ _ - .)' } },
    ]);
    expect(emulator.user('u2')?.revoke_tokens_issued_before).toBeInstanceOf(Date);
  });

  test('an unknown single user: the platform\'s code 16, exit 1', async () => {
    const r = await runCli(['revoke', '--user', 'nobody'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/code 16/);
  });

  test('a platform that cannot be reached: the run stops, exit 1, and says how to resume', async () => {
    const closed = await startEmulator();
    const url = closed.url;
    await closed.close();
    const report = tmp.path('unreachable.jsonl');
    const r = await runCli(['revoke', '--users-file', idsFile, '--report', report, '--retries', '0', '--quiet'], { env: { ...env, TOKENKIT_BASE_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`stopped: .*; continue with --resume ${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});

describe('credentials', () => {
  test('a wrong secret: the run stops at once with exit 2, names what to check, and never prints the secret', async () => {
    const wrong = 'not-the-secret-0123456789abcdef';
    const writesBefore = emulator.writes().length;
    const r = await runCli(['revoke', '--users-file', idsFile, '--quiet'], { env: { ...env, TOKENKIT_API_SECRET: wrong } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the platform refused the credentials \(code 43\): check the API secret \(--api-secret-file or TOKENKIT_API_SECRET\)/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(emulator.writes()).toHaveLength(writesBefore);
  });

  test('a wrong secret from --api-secret-file, and a wrong key: exit 2 each', async () => {
    const file = tmp.path('secret.txt');
    writeFileSync(file, 'wrong-secret-from-a-file\n');
    const noSecretEnv = { TOKENKIT_BASE_URL: env['TOKENKIT_BASE_URL'] as string, TOKENKIT_API_KEY: env['TOKENKIT_API_KEY'] as string };
    const [bySecretFile, byKey, missingFile] = await Promise.all([
      runCli(['revoke', '--user', 'u1', '--api-secret-file', file], { env: noSecretEnv }),
      runCli(['revoke', '--user', 'u1', '--api-key', 'wrong-key'], { env }),
      runCli(['revoke', '--user', 'u1', '--api-secret-file', tmp.path('no-such-secret')], { env: noSecretEnv }),
    ]);
    expect([bySecretFile.code, byKey.code, missingFile.code]).toEqual([2, 2, 2]);
    expect(bySecretFile.stderr).toMatch(/code 43/);
    expect(bySecretFile.stderr).not.toContain('wrong-secret-from-a-file');
    expect(byKey.stderr).toMatch(/refused the credentials \(code 2\): check the API key/);
    expect(missingFile.stderr).toMatch(/cannot read the secret file ".*no-such-secret": no such file/);
  });
});
