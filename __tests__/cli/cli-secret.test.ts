import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { emulatorEnv, runCli, tempDir } from '../support/cli';
import { serverClientFor } from '../support/clients';

// `tokenkit secret add|promote|retire|list` as a subprocess against an emulator: the planned
// rotation from the terminal, and the added value only ever in the --out file.

// Each run starts a subprocess (node on the CLI built once by jest's globalSetup).
jest.setTimeout(120_000);

let emulator: Emulator;
let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  emulator = await startEmulator();
  tmp = tempDir();
});
afterEach(async () => {
  await emulator.close();
  tmp.remove();
});

test('add writes the value to a new 0600 file and prints only the kid; promote, retire and list show kids and states', async () => {
  const env = emulatorEnv(emulator);
  const out = tmp.path('new.secret');
  const added = await runCli(['secret', 'add', '--out', out, '--json'], { env });
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  const { kid, state, file } = JSON.parse(added.stdout) as { kid: string; state: string; file: string };
  expect([state, file]).toEqual(['active', out]);
  const value = readFileSync(out, 'utf8').trimEnd();
  expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect((statSync(out).mode & 0o777).toString(8)).toBe('600');
  expect(added.stdout + added.stderr).not.toContain(value);

  // The new secret works at once: an admin client signing with it lists the secrets.
  const withNew = serverClientFor(emulator, { apiSecret: value });
  expect((await withNew.listSecrets()).map((s) => s.state)).toEqual(['primary', 'active']);

  const promoted = await runCli(['secret', 'promote', kid], { env });
  expect(promoted.code).toBe(0);
  expect(promoted.stderr).toBe(`promoted: ${kid} is the primary secret (the former primary stays active)\n`);
  expect(promoted.stdout).toMatch(new RegExp(`^KID +STATE +ADDED +PROMOTED +RETIRED\\ninitial +active .*\\n${kid} +primary +\\d{4}-`));

  const retired = await runCli(['secret', 'retire', 'initial', '--json'], { env });
  expect(retired.code).toBe(0);
  const list = JSON.parse(retired.stdout) as { secrets: Array<{ kid: string; state: string; retired_at: string | null }> };
  expect(list.secrets.map((s) => `${s.kid}:${s.state}`)).toEqual(['initial:retired', `${kid}:primary`]);
  expect(list.secrets[0]?.retired_at).toMatch(/^\d{4}-\d\d-\d\dT/);

  // The old secret signs no more admin requests: a credential error (exit 2) naming what to do.
  const stale = await runCli(['secret', 'list'], { env });
  expect(stale.code).toBe(2);
  expect(stale.stderr).toMatch(/refused the credentials \(code 44\): the app secret given is retired: use the primary secret/);
  const listed = await runCli(['secret', 'list'], { env: { ...env, TOKENKIT_API_SECRET: value } });
  expect(listed.code).toBe(0);
  for (const r of [promoted, retired, stale, listed]) expect(r.stdout + r.stderr).not.toContain(value);
});

test('add never overwrites a file and adds nothing when it cannot write; a refused change exits 1 with the platform\'s reason', async () => {
  const env = emulatorEnv(emulator);
  const existing = tmp.path('taken.secret');
  writeFileSync(existing, 'keep me\n');
  const refused = await runCli(['secret', 'add', '--out', existing], { env });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/cannot write the secret to .*taken\.secret": it exists \(a secret file is never overwritten\)/);
  expect(readFileSync(existing, 'utf8')).toBe('keep me\n');
  expect(emulator.secrets()).toHaveLength(1);

  const primary = await runCli(['secret', 'retire', 'initial'], { env });
  expect(primary.code).toBe(1);
  expect(primary.stderr).toMatch(/code 4: secret "initial" is the primary: promote another secret first/);
  const badKid = await runCli(['secret', 'promote', 'no/such'], { env });
  expect(badKid.code).toBe(2);
  expect(badKid.stderr).toMatch(/not a valid kid/);
});
