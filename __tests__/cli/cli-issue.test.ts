import { readFileSync, writeFileSync } from 'node:fs';
import { verifyUserToken } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { createUsersInBatches, emulatorEnv, finished, jsonLines, runCli, startCli, tempDir, writeIds } from '../support/cli';
import { serverClientFor } from '../support/clients';

// `tokenkit issue` as a subprocess: one JSON line per user, the report without tokens, the
// compatibility mode (refused clearly when off), and a killed run resumed without issuing twice.

jest.setTimeout(120_000); // a bound, as in the other CLI files: the killed run issues 3,000 tokens through faults

const tmp = tempDir();
let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ maxIdempotencyKeys: 50_000 });
  env = emulatorEnv(emulator);
});
afterAll(async () => {
  await emulator.close();
  tmp.remove();
});
beforeEach(() => emulator.reset());

interface TokenLine {
  user_id: string;
  token: string;
  expires_at: number;
}

/** Issued tokens per user, by the emulator's audit. */
function issuedPerUser(): Map<string, number> {
  const per = new Map<string, number>();
  for (const w of emulator.writes()) if (w.tokenIssued) per.set(w.userId as string, (per.get(w.userId as string) ?? 0) + 1);
  return per;
}

async function users(name: string, n: number): Promise<{ file: string; ids: string[] }> {
  const file = tmp.path(`${name}.txt`);
  const ids = writeIds(file, n, `${name}-`);
  await createUsersInBatches(serverClientFor(emulator), ids);
  return { file, ids };
}

test('one JSON line per user to --out, each token the platform\'s for that user; the report holds no token', async () => {
  const { file, ids } = await users('plain', 300);
  const out = tmp.path('plain.tokens.jsonl');
  const report = tmp.path('plain.report.jsonl');
  const expiresAt = new Date(Date.now() + 2 * 3600_000);
  expiresAt.setUTCMilliseconds(0);
  const r = await runCli(['issue', '--users-file', file, '--out', out, '--report', report, '--expires-at', expiresAt.toISOString(), '--quiet'], { env });
  expect(r.stderr).toMatch(/^issue: 300 done, 0 failed, 0 skipped/m);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('');
  const lines = jsonLines(readFileSync(out, 'utf8')) as unknown as TokenLine[];
  expect(lines.map((l) => l.user_id).sort()).toEqual([...ids].sort());
  for (const l of lines.slice(0, 20)) {
    expect(l.expires_at).toBe(expiresAt.getTime());
    await expect(verifyUserToken(l.token, { secret: emulator.apiSecret, userId: l.user_id })).resolves.toMatchObject({ user_id: l.user_id });
  }
  const reportText = readFileSync(report, 'utf8');
  for (const l of lines) expect(reportText).not.toContain(l.token.split('.')[2]);
  expect([...issuedPerUser().values()].every((c) => c === 1) && issuedPerUser().size === 300).toBe(true);
});

test('without --out, the lines go to stdout; an --out that exists is never overwritten (exit 2)', async () => {
  const { file } = await users('stdout', 3);
  const r = await runCli(['issue', '--users-file', file, '--quiet'], { env });
  expect(r.code).toBe(0);
  expect((jsonLines(r.stdout) as unknown as TokenLine[]).map((l) => l.user_id)).toEqual(['stdout-0', 'stdout-1', 'stdout-2']);
  const existing = tmp.path('existing.jsonl');
  writeFileSync(existing, 'old tokens');
  const again = await runCli(['issue', '--users-file', file, '--out', existing], { env });
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/exists already: it holds tokens/);
  expect(readFileSync(existing, 'utf8')).toBe('old tokens');
});

test('--compat with compatibility mode off: a clear refusal up front, exit 2, nothing issued', async () => {
  const { file } = await users('compat-off', 5);
  const r = await runCli(['issue', '--users-file', file, '--compat'], { env });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--compat issues through the user-update call, which needs the app's jwt_compatibility_mode, and it is off\. Turn it on/);
  expect(issuedPerUser().size).toBe(0);
});

test('--compat with compatibility mode on: JWTs through the user-update call, profiles kept', async () => {
  const client = serverClientFor(emulator);
  await client.upsertUsers([{ id: 'legacy-1', name: 'Legacy One', plan: 'gold' }, { id: 'legacy-2' }]);
  await client.updateApp({ jwt_compatibility_mode: true });
  const file = tmp.path('compat.txt');
  writeFileSync(file, 'legacy-1\nlegacy-2\n');
  const r = await runCli(['issue', '--users-file', file, '--compat', '--quiet'], { env });
  expect(r.code).toBe(0);
  const lines = jsonLines(r.stdout) as unknown as TokenLine[];
  expect(lines).toHaveLength(2);
  await expect(verifyUserToken(lines[0]?.token as string, { secret: emulator.apiSecret, userId: 'legacy-1' })).resolves.toBeDefined();
  expect(emulator.writes({ route: 'PUT /v1/users/:id' }).filter((w) => w.tokenIssued === 'jwt')).toHaveLength(2);
  expect(emulator.user('legacy-1')).toMatchObject({ name: 'Legacy One', plan: 'gold', requires_token: true });
});

test('killed (SIGKILL) halfway and resumed: every user has a line, none was issued two tokens', async () => {
  const { file, ids } = await users('killed', 3000);
  const out = tmp.path('killed.tokens.jsonl');
  const report = tmp.path('killed.report.jsonl');
  emulator.faults.set({ routes: ['POST /v1/users/:id/token'], sequence: Array.from({ length: 4000 }, (_, i) => (i % 50 === 3 ? 'drop_after' : 'pass')) });
  const child = startCli(['issue', '--users-file', file, '--out', out, '--report', report, '--progress-interval', '100'], { env });
  const first = finished(child);
  await new Promise<void>((resolve) => {
    child.stderr?.on('data', (d: Buffer) => {
      const m = /([\d,]+) done/.exec(d.toString('utf8'));
      if (m && Number((m[1] as string).replace(/,/g, '')) >= 1000) resolve();
    });
  });
  child.kill('SIGKILL');
  expect((await first).signal).toBe('SIGKILL');

  const resumed = await runCli(['issue', '--resume', report, '--quiet'], { env });
  expect(resumed.code).toBe(0);
  const per = issuedPerUser();
  expect(per.size).toBe(3000);
  expect([...per].filter(([, c]) => c !== 1)).toEqual([]);
  // A line written just before the kill may come again on resume: the same user, the same token.
  const byUser = new Map<string, Set<string>>();
  for (const l of jsonLines(readFileSync(out, 'utf8')) as unknown as TokenLine[]) {
    byUser.set(l.user_id, (byUser.get(l.user_id) ?? new Set()).add(l.token));
  }
  expect(byUser.size).toBe(ids.length);
  expect([...byUser.values()].every((tokens) => tokens.size === 1)).toBe(true);
});
