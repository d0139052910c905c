import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { readReport } from '../../src/cli/report';
import { CLI_MAIN } from '../support/cli-bundle';
import { ROOT, cliEnv, emulatorEnv, finished, jsonLines, runCli, startCli, tempDir, whenDone, writeIds } from '../support/cli';
import { serverClientFor } from '../support/clients';

// Migration operations (read, prepare, dry-run, run, resume, verify), end to end: the CLI as a subprocess against the emulator.
// One spawn per scenario (a spawn costs seconds on a loaded machine).

jest.setTimeout(300_000);
/** Each spawn's bound: these runs do real work (10,000 users), on machines shared with other jobs. */
const T = { timeoutMs: 240_000 };

const N = 10_000;
const tmp = tempDir();
let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ maxWrites: 200_000 });
  env = emulatorEnv(emulator);
});
afterAll(async () => {
  await emulator.close();
  tmp.remove();
});

const pad = (i: number) => String(i).padStart(5, '0');

describe('users import and export', () => {
  const jsonUsers = Array.from({ length: N }, (_, i) => ({ id: `j${pad(i)}`, name: `J ${i}`, ...(i % 2 ? { team: 'blue', score: i } : { tags: ['a', 'b'] }) }));
  const csvUsers = Array.from({ length: N }, (_, i) => ({ id: `c${pad(i)}`, name: i % 3 ? `C "${i}", Esq.` : '', team: i % 2 ? 'red' : '' }));

  test('10,000 users from JSON lines and 10,000 from CSV, exported back the same', async () => {
    const jsonl = tmp.path('users.jsonl');
    writeFileSync(jsonl, jsonUsers.map((u) => JSON.stringify(u)).join('\n') + '\n');
    const csv = tmp.path('users.csv');
    const cell = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    writeFileSync(csv, 'id,name,team\r\n' + csvUsers.map((u) => [u.id, u.name, u.team].map(cell).join(',')).join('\r\n') + '\r\n');

    const [fromJson, fromCsv] = await Promise.all([
      runCli(['users', 'import', '--file', jsonl, '--report', tmp.path('import-json.jsonl'), '--quiet'], { env, ...T }),
      runCli(['users', 'import', '--file', csv, '--quiet', '--json'], { env, ...T }),
    ]);
    expect(fromJson.stderr).toMatch(/^import: 10,000 done, 0 failed, 0 skipped/m);
    expect([fromJson.code, fromCsv.code]).toEqual([0, 0]);
    expect(JSON.parse(fromCsv.stdout)).toMatchObject({ command: 'import', done: N, failed: 0, exit_code: 0 });

    const out = tmp.path('export.jsonl');
    const exported = await runCli(['users', 'export', '--out', out], { env, ...T });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/export: 20,000 users/);
    const lines = jsonLines(readFileSync(out, 'utf8'));
    expect(lines.map((l) => l['id'])).toEqual([...csvUsers.map((u) => u.id), ...jsonUsers.map((u) => u.id)]); // id order
    const byId = new Map(lines.map((l) => [l['id'] as string, l]));
    const strip = ({ created_at, updated_at, requires_token, revoke_tokens_issued_before, role, ...rest }: Record<string, unknown>) => rest;
    for (const u of jsonUsers) expect(strip(byId.get(u.id) as Record<string, unknown>)).toEqual(u);
    for (const u of csvUsers) {
      const want: Record<string, unknown> = { id: u.id };
      if (u.name) want['name'] = u.name;
      if (u.team) want['team'] = u.team;
      expect(strip(byId.get(u.id) as Record<string, unknown>)).toEqual(want);
    }
    expect(byId.get('j00001')).toMatchObject({ role: 'user', requires_token: false, revoke_tokens_issued_before: null });

    // listUsers pages every user exactly once; queryUsers({ ids }) answers those users.
    const client = serverClientFor(emulator);
    const listed: string[] = [];
    for await (const u of client.listUsers({ limit: 777 })) listed.push(u.id);
    expect(listed).toEqual(lines.map((l) => l['id']));
    const { users } = await client.queryUsers({ ids: ['j00042', 'c00007'] });
    expect(users.map((u) => [u.id, u.name])).toEqual([['j00042', 'J 42'], ['c00007', 'C "7", Esq.']]);

    const got = await runCli(['users', 'get', 'j00003', 'nobody'], { env, ...T });
    expect(got.code).toBe(1);
    expect(jsonLines(got.stdout)).toEqual([expect.objectContaining({ id: 'j00003', team: 'blue', score: 3 })]);
    expect(got.stderr.trim()).toBe('tokenkit: no user "nobody" (code 16)');
  });
});

describe('a revoke run with 10% unknown ids', () => {
  const M = 1_000;
  let file: string;
  const unknown = (i: number) => i % 10 === 9;

  beforeAll(async () => {
    const ids = Array.from({ length: M }, (_, i) => (unknown(i) ? `ghost${pad(i)}` : `m${pad(i)}`));
    file = tmp.path('mixed.txt');
    writeFileSync(file, ids.join('\n') + '\n');
    await serverClientFor(emulator).upsertUsers(ids.filter((_, i) => !unknown(i)).map((id) => ({ id })));
  });

  test('--dry-run reads the state and writes nothing (the emulator\'s write log)', async () => {
    const writes = emulator.writes().length;
    const r = await runCli(['revoke', '--users-file', file, '--dry-run', '--json'], { env, ...T });
    expect(r.code).toBe(0);
    expect(emulator.writes()).toHaveLength(writes);
    expect(r.stderr).toMatch(/would be revoked: 900 \(first: m00000, m00001, m00002, m00003, m00004, \.\.\.\)/);
    expect(r.stderr).toMatch(/unknown users: 100 \(first: ghost00009, .*\): would fail \(--missing fail; exit 1\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({ dry_run: true, would_change: 900, unknown: 100, first: { unknown: expect.arrayContaining(['ghost00009']) } });
  });

  test('under each --missing mode: the summary gives the reasons; --failed-out feeds back; --json parses', async () => {
    const failedOut = tmp.path('failed.txt');
    const [fail, skip] = await Promise.all([
      runCli(['revoke', '--users-file', file, '--quiet', '--failed-out', failedOut, '--before', '2026-01-01T00:00:00Z'], { env, ...T }),
      runCli(['revoke', '--users-file', file, '--quiet', '--missing', 'skip', '--json', '--before', '2026-02-01T00:00:00Z'], { env, ...T }),
    ]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/^revoke: 900 done, 100 failed, 0 skipped/m);
    expect(fail.stderr).toMatch(/^ {2}failed: 100 unknown users \(16\)$/m);
    // In the order the batches finished: compared as a set.
    expect(readFileSync(failedOut, 'utf8').trim().split('\n').sort()).toEqual(Array.from({ length: 100 }, (_, i) => `ghost${pad(i * 10 + 9)}`));

    expect(skip.code).toBe(0);
    const summary = JSON.parse(skip.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ command: 'revoke', done: 900, failed: 0, skipped: 100, exit_code: 0 });
    expect(summary['reasons']).toEqual([{ status: 'skipped', code: 16, count: 100 }]);

    const create = await runCli(['revoke', '--users-file', file, '--missing', 'create', '--quiet', '--before', '2026-03-01T00:00:00Z'], { env, ...T });
    expect(create.code).toBe(0);
    expect(create.stderr).toMatch(/^revoke: 1,000 done, 0 failed, 0 skipped/m);
    expect(create.stderr).toMatch(/done: 100 users created first \(--missing create\)/);
    expect(emulator.user('ghost00009')?.revoke_tokens_issued_before?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});

test('SIGTERM at about 40%: exit 143 with an end record; --resume: every id applied exactly once', async () => {
  const file = tmp.path('term.txt');
  const ids = writeIds(file, N, 't');
  await serverClientFor(emulator).upsertUsers(ids.map((id) => ({ id })));
  const report = tmp.path('term.jsonl');
  const child = startCli(['revoke', '--users-file', file, '--report', report, '--concurrency', '1', '--batch-size', '20', '--progress-interval', '50'], { env });
  const first = finished(child, T.timeoutMs);
  await whenDone(child, N * 0.4);
  child.kill('SIGTERM');
  const stopped = await first;
  expect(stopped.code).toBe(143);
  expect(stopped.stderr).toMatch(/SIGTERM: stopping after the batches in flight/);
  expect(stopped.stderr).toMatch(/interrupted by SIGTERM; continue with --resume/);
  const end = jsonLines(readFileSync(report, 'utf8')).pop();
  expect(end).toMatchObject({ type: 'end', interrupted: true, signal: 'SIGTERM' });
  const state = await readReport(report);
  expect(state.done.size).toBeLessThan(N);

  const resumed = await runCli(['revoke', '--resume', report, '--quiet'], { env, ...T });
  expect(resumed.code).toBe(0);
  const per = new Map<string, number>();
  for (const w of emulator.writes({ route: 'PATCH /v1/users' })) if (w.userId?.startsWith('t')) per.set(w.userId, (per.get(w.userId) ?? 0) + 1);
  expect(per.size).toBe(N);
  expect([...per].filter(([, n]) => n !== 1)).toEqual([]);
});

test('issue ... | head -1: no stack trace, a valid report, and the rest resumable', async () => {
  const file = tmp.path('issue.txt');
  const ids = writeIds(file, 2_000, 'h');
  await serverClientFor(emulator).upsertUsers(ids.map((id) => ({ id })));
  const report = tmp.path('issue.jsonl');
  const child = spawn('/bin/sh', ['-c', `"${process.execPath}" "${CLI_MAIN}" issue --users-file "${file}" --report "${report}" --quiet | head -1`], {
    cwd: ROOT,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = await finished(child, T.timeoutMs);
  expect(r.code).toBe(0); // head's
  expect(jsonLines(r.stdout)).toEqual([expect.objectContaining({ user_id: expect.stringMatching(/^h\d+$/), token: expect.any(String) })]);
  expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
  expect(r.stderr).toMatch(/tokenkit: stdout was closed; stopped after the lines written; continue with --resume/);
  const end = jsonLines(readFileSync(report, 'utf8')).pop();
  expect(end).toMatchObject({ type: 'end', interrupted: true, reason: 'stdout was closed' });
  const state = await readReport(report);
  expect(state.done.size).toBeLessThan(2_000);

  const resumed = await runCli(['issue', '--resume', report, '--quiet'], { env, ...T });
  expect(resumed.code).toBe(0);
  expect(jsonLines(resumed.stdout).length).toBe(2_000 - state.done.size);
  expect((await readReport(report)).done.size).toBe(2_000);
});

test('parser errors are one tokenkit: line; a secret-looking flag points to --api-secret-file', async () => {
  const [secret, bad] = await Promise.all([runCli(['revoke', '--users-file', 'x', '--api-secret', 's3cr3t'], { env, ...T }), runCli(['revoke', '--missing', 'maybe'], { env, ...T })]);
  expect(secret.code).toBe(2);
  expect(secret.stderr).toMatch(/^tokenkit: there is no --api-secret flag: .*--api-secret-file FILE, or set TOKENKIT_API_SECRET\n$/);
  expect(secret.stderr).not.toContain('s3cr3t');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^tokenkit: option '--missing <mode>' argument 'maybe' is invalid\. Allowed choices are fail, skip, create\. \(run "tokenkit revoke --help" for usage\)\n$/);
});
