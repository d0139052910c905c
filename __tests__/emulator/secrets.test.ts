// The app's secrets on the emulator (docs/platform-api.md, "App secrets and rotation"): the admin
// routes through ServerClient over HTTP, their refusals, the three-secret cap, persistence in the
// data file and reset().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { AddedSecret, ApiError, ArgumentError, ConfigError, MAX_APP_SECRETS, ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { serverClientFor } from '../support/clients';

const started: Emulator[] = [];
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenkit-secrets-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<{ emulator: Emulator; admin: ServerClient }> {
  const emulator = await startEmulator(options);
  started.push(emulator);
  const admin = serverClientFor(emulator, { maxRetries: 0 });
  return { emulator, admin };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

const states = (list: Array<{ kid: string; state: string }>) => list.map((s) => `${s.kid}:${s.state}`);

test('an app starts with one primary secret, "initial"; add answers an active secret and its value once; list never shows a value', async () => {
  const { emulator, admin } = await start();
  const before = await admin.listSecrets();
  expect(states(before)).toEqual(['initial:primary']);
  expect(before[0]?.created_at).toBeInstanceOf(Date);
  expect(before[0]?.retired_at).toBeNull();

  const added = await admin.addSecret();
  expect(added).toBeInstanceOf(AddedSecret);
  expect(added.kid).toMatch(/^sec_[0-9a-f]{12}$/);
  expect(added.state).toBe('active');
  expect(added.secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
  // Destructuring reads the value; logging the result does not show it.
  const { kid, secret } = added;
  expect([kid, secret]).toEqual([added.kid, added.secret]);
  expect(inspect(added)).not.toContain(secret);
  expect(JSON.stringify(added)).not.toContain(secret);
  expect(JSON.parse(JSON.stringify(added))).toMatchObject({ kid, state: 'active' });

  const after = await admin.listSecrets();
  expect(states(after)).toEqual(['initial:primary', `${kid}:active`]);
  expect(JSON.stringify(after)).not.toContain(secret);
  expect(emulator.secrets()).toEqual(after);
  expect(emulator.writes({ route: 'POST /v1/app/secrets' })).toEqual([expect.objectContaining({ kid, fields: ['secrets'] })]);
  expect(JSON.stringify(emulator.writes())).not.toContain(secret);
});

test('promote makes a secret the primary (the former one stays active); retire is final; emulator.apiSecret follows the primary', async () => {
  const { emulator, admin } = await start({ apiSecret: 'first-secret-0123456789' });
  const { kid, secret } = await admin.addSecret();
  expect(states(await admin.promoteSecret(kid))).toEqual(['initial:active', `${kid}:primary`]);
  expect(emulator.apiSecret).toBe(secret);
  // Promoting the primary again changes nothing (a retried request gets the same answer).
  const again = await admin.promoteSecret(kid);
  expect(states(again)).toEqual(['initial:active', `${kid}:primary`]);
  expect(again.find((s) => s.kid === kid)?.promoted_at).toBeInstanceOf(Date);
  expect(emulator.writes({ route: 'POST /v1/app/secrets/promote' })).toHaveLength(1);

  // The old secret may sign the request that retires it; from then on it signs nothing (44).
  const retired = await admin.retireSecret('initial');
  expect(states(retired)).toEqual(['initial:retired', `${kid}:primary`]);
  expect(retired[0]?.retired_at).toBeInstanceOf(Date);
  const stale = await apiError(admin.listSecrets());
  expect([stale.status, stale.code]).toEqual([401, 44]);
  expect(stale.message).toMatch(/signed with the retired secret "initial".*sign with the primary secret/);
  const rotated = new ServerClient({ apiKey: emulator.apiKey, apiSecret: [{ kid, secret }], baseUrl: emulator.url, maxRetries: 0 });
  expect(states(await rotated.retireSecret('initial'))).toEqual(['initial:retired', `${kid}:primary`]);

  const promoteRetired = await apiError(rotated.promoteSecret('initial'));
  expect([promoteRetired.status, promoteRetired.code]).toEqual([400, 4]);
  expect(promoteRetired.message).toMatch(/retired, for good: add a new secret/);
  const retirePrimary = await apiError(rotated.retireSecret(kid));
  expect([retirePrimary.status, retirePrimary.code]).toEqual([400, 4]);
  expect(retirePrimary.message).toMatch(/is the primary: promote another secret first/);
  const unknown = await apiError(rotated.retireSecret('nope'));
  expect([unknown.status, unknown.code]).toEqual([404, 16]);
});

test(`at most ${MAX_APP_SECRETS} secrets: a fourth forgets the one retired longest ago, and with none retired it is refused`, async () => {
  const { emulator, admin } = await start();
  const b = await admin.addSecret();
  const c = await admin.addSecret();
  const full = await apiError(admin.addSecret());
  expect([full.status, full.code]).toEqual([400, 4]);
  expect(full.message).toMatch(/holds 3 secrets, none retired: retire one/);
  expect(await admin.listSecrets()).toHaveLength(3);

  await admin.retireSecret(b.kid);
  await admin.promoteSecret(c.kid);
  await admin.retireSecret('initial');
  const withC = serverClientFor(emulator, { apiSecret: c.secret, maxRetries: 0 });
  const d = await withC.addSecret();
  // "initial" is older than b, but b was retired first: b is forgotten.
  expect(states(await withC.listSecrets())).toEqual([`initial:retired`, `${c.kid}:primary`, `${d.kid}:active`]);
});

test('a retried add with the same Idempotency-Key gets the same secret, not a second one', async () => {
  const { admin } = await start();
  const first = await admin.addSecret({ idempotencyKey: 'rotation-2026-q4' });
  const again = await admin.addSecret({ idempotencyKey: 'rotation-2026-q4' });
  expect([again.kid, again.secret]).toEqual([first.kid, first.secret]);
  expect(await admin.listSecrets()).toHaveLength(2);
});

test('bad arguments are refused before any request, naming kid', async () => {
  const { emulator, admin } = await start();
  for (const bad of ['', 'a/b', 'x'.repeat(65), 42 as unknown as string]) {
    await expect(admin.promoteSecret(bad)).rejects.toMatchObject({ name: 'ArgumentError', issues: [expect.objectContaining({ path: 'kid' })] });
    await expect(admin.retireSecret(bad)).rejects.toBeInstanceOf(ArgumentError);
  }
  await expect(admin.addSecret({ idempotencyKey: 'has space' })).rejects.toBeInstanceOf(ArgumentError);
  await expect(admin.listSecrets({ bogus: 1 } as never)).rejects.toBeInstanceOf(ArgumentError);
  expect(emulator.writes()).toEqual([]);
});

test('the data file keeps kids, states and the generated values; never a value given as apiSecret', async () => {
  const file = path.join(dir, 'state.json');
  const given = 'given-secret-never-written-0123';
  let { emulator, admin } = await start({ dataFile: file, apiSecret: given });
  const added = await admin.addSecret();
  await admin.promoteSecret(added.kid);
  await emulator.close();
  const text = fs.readFileSync(file, 'utf8');
  expect(text).not.toContain(given);
  expect(text).toContain(added.secret);
  expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');

  // The given secret must be given again; the generated one comes from the file.
  await expect(startEmulator({ dataFile: file })).rejects.toThrow(ConfigError);
  await expect(startEmulator({ dataFile: file })).rejects.toThrow(/"initial" was given as apiSecret, which is never written: pass the same apiSecret again/);
  ({ emulator, admin } = await start({ dataFile: file, apiSecret: given }));
  expect(emulator.apiSecret).toBe(added.secret);
  expect(states(await serverClientFor(emulator, { apiSecret: added.secret }).listSecrets())).toEqual([
    'initial:active',
    `${added.kid}:primary`,
  ]);
  // Once the given secret is retired, a restart needs it no more.
  await serverClientFor(emulator, { apiSecret: added.secret }).retireSecret('initial');
  await emulator.close();
  ({ emulator } = await start({ dataFile: file }));
  expect(states(emulator.secrets())).toEqual(['initial:retired', `${added.kid}:primary`]);
});

test('a random first secret is kept in the data file; another apiSecret at restart is refused rather than silently ignored', async () => {
  const file = path.join(dir, 'state.json');
  let { emulator } = await start({ dataFile: file });
  const first = emulator.apiSecret;
  await emulator.reset(); // writes the file
  await emulator.close();
  ({ emulator } = await start({ dataFile: file }));
  expect(emulator.apiSecret).toBe(first);
  await emulator.close();
  await expect(startEmulator({ dataFile: file, apiSecret: 'another-secret' })).rejects.toThrow(
    /keeps the secret "initial" the emulator generated, and apiSecret is another: leave out apiSecret/,
  );
  ({ emulator } = await start({ dataFile: file, apiSecret: first }));
  expect(emulator.apiSecret).toBe(first);
});

test('reset() sets the secrets back to those the emulator started with', async () => {
  const { emulator, admin } = await start({ apiSecret: 'reset-secret-0123456789' });
  const { kid } = await admin.addSecret();
  await admin.promoteSecret(kid);
  await emulator.reset();
  expect(states(emulator.secrets())).toEqual(['initial:primary']);
  expect(emulator.apiSecret).toBe('reset-secret-0123456789');
});
