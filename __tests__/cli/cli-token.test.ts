import jwt from 'jsonwebtoken';
import { verifyUserToken } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { emulatorEnv, runCli } from '../support/cli';
import { serverClientFor } from '../support/clients';

// `tokenkit token mint|decode|verify` as a subprocess, against an emulator for --online.

let emulator: Emulator;
let env: Record<string, string>;
const SECRET_ONLY = (s: string) => ({ TOKENKIT_API_SECRET: s });

beforeAll(async () => {
  emulator = await startEmulator();
  env = emulatorEnv(emulator);
});
afterAll(() => emulator.close());

test('mint prints a token the platform\'s rules accept, for the user and the validity asked', async () => {
  const r = await runCli(['token', 'mint', '--user', 'alice', '--validity', '600'], { env: SECRET_ONLY(emulator.apiSecret) });
  expect(r.code).toBe(0);
  const token = r.stdout.trim();
  const claims = await verifyUserToken(token, { secret: emulator.apiSecret, userId: 'alice' });
  expect((claims.exp as number) - Math.floor(claims.iat as number)).toBe(600);
  expect(r.stderr).toBe('');

  const json = await runCli(['token', 'mint', '--user', 'bob', '--json'], { env: SECRET_ONLY(emulator.apiSecret) });
  const parsed = JSON.parse(json.stdout) as { user_id: string; token: string; expires_at: number };
  expect(parsed.user_id).toBe('bob');
  const bob = await verifyUserToken(parsed.token, { secret: emulator.apiSecret, userId: 'bob' });
  expect(parsed.expires_at).toBe((bob.exp as number) * 1000);
});

test('decode needs no secret: header, claims and times in words; from stdin with "-"', async () => {
  const nowS = Math.floor(Date.now() / 1000);
  const token = jwt.sign({ user_id: 'carol', iat: nowS - 180, exp: nowS + 3420, role: 'x' }, 'any-secret');
  const r = await runCli(['token', 'decode', '-'], { input: token + '\n' });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^kind: +JWT, alg HS256$/m);
  expect(r.stdout).toMatch(/^header: +\{"alg":"HS256","typ":"JWT"\}$/m);
  expect(r.stdout).toMatch(/^user: +carol$/m);
  expect(r.stdout).toMatch(/^issued: .*\(issued 3 minutes ago\)$/m);
  expect(r.stdout).toMatch(/^expires: .*\(expires in 57 minutes\)$/m);

  const json = await runCli(['token', 'decode', '--json', token]);
  expect(JSON.parse(json.stdout)).toEqual({ kind: 'jwt', header: { alg: 'HS256', typ: 'JWT' }, claims: { user_id: 'carol', iat: nowS - 180, exp: nowS + 3420, role: 'x' } });

  const opaque = await runCli(['token', 'decode', 'c2Vzc2lvbi10b2tlbg']);
  expect(opaque.code).toBe(1);
  expect(opaque.stderr).toMatch(/not a JWT: it has no dots \(an opaque legacy session token/);
});

test('verify offline: valid (0), another user (46), another secret (43), expired (40), each refusal exit 1', async () => {
  const secret = emulator.apiSecret;
  const good = emulator.userToken('dave');
  const expired = jwt.sign({ user_id: 'dave', iat: 1_700_000_000, exp: 1_700_000_060 }, secret);
  const [ok, other, wrongSecret, old] = await Promise.all([
    runCli(['token', 'verify', good, '--user', 'dave'], { env: SECRET_ONLY(secret) }),
    runCli(['token', 'verify', good, '--user', 'erin'], { env: SECRET_ONLY(secret) }),
    runCli(['token', 'verify', good], { env: SECRET_ONLY('another-secret') }),
    runCli(['token', 'verify', expired, '--json'], { env: SECRET_ONLY(secret) }),
  ]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/^valid: a token for dave \(offline: no revocation cutoffs/);
  expect([other.code, wrongSecret.code, old.code]).toEqual([1, 1, 1]);
  expect(other.stdout).toMatch(/^refused: code 46: token belongs to another user/);
  expect(wrongSecret.stdout).toMatch(/^refused: code 43: token signature is invalid/);
  expect(JSON.parse(old.stdout)).toEqual({ valid: false, code: 40, message: 'token expired at 2023-11-14T22:14:20.000Z' });
  for (const r of [ok, other, wrongSecret, old]) expect(r.stdout + r.stderr).not.toContain(secret);
});

test('verify --online fetches the user\'s and the app\'s cutoffs: revoked is 44, restored is valid again', async () => {
  const client = serverClientFor(emulator);
  await client.upsertUsers([{ id: 'frank' }]);
  const token = client.generateUserToken({ user_id: 'frank' });
  // The same client picks the cutoff: after every token it minted (no wait needed).
  await client.revokeUserTokens('frank');
  const [offline, online] = await Promise.all([
    runCli(['token', 'verify', token], { env: SECRET_ONLY(emulator.apiSecret) }),
    runCli(['token', 'verify', token, '--online'], { env }),
  ]);
  expect(offline.code).toBe(0);
  expect(online.code).toBe(1);
  expect(online.stderr).toMatch(/^platform: user frank revokes tokens issued before \d{4}-.*; app revokes before nothing; auth checks on$/m);
  expect(online.stdout).toMatch(/^refused: code 44: token revoked/);

  await client.restoreUserTokens('frank');
  await client.revokeAppTokens(new Date());
  const appRevoked = await runCli(['token', 'verify', token, '--online', '--user', 'frank'], { env });
  expect(appRevoked.code).toBe(1);
  expect(appRevoked.stdout).toMatch(/code 44/);
  await client.restoreAppTokens();
  const valid = await runCli(['token', 'verify', token, '--online'], { env });
  expect(valid.code).toBe(0);
  expect(valid.stdout).toMatch(/^valid: a token for frank \(with the platform's revocation cutoffs\)/);
});

test('a keyring from TOKENKIT_API_SECRETS: mint stamps the first kid, verify takes a token of any entry, admin calls sign with the first; a bad one exits 2 naming the entry, never a value', async () => {
  const secret = emulator.apiSecret;
  const other = 'cli-keyring-other-secret-0123456789';
  const keyring = JSON.stringify([{ kid: 'initial', secret }, { kid: 'next', secret: other }]);
  const { TOKENKIT_API_SECRET: _plain, ...platform } = env;
  const withKeyring = { ...platform, TOKENKIT_API_SECRETS: keyring };
  const byNext = serverClientFor(emulator, { apiSecret: [{ kid: 'next', secret: other }] }).generateUserToken({ user_id: 'erin' });
  const [minted, verified, listed, both, bad, notJson] = await Promise.all([
    runCli(['token', 'mint', '--user', 'dave'], { env: withKeyring }),
    runCli(['token', 'verify', byNext, '--user', 'erin', '--json'], { env: withKeyring }),
    runCli(['secret', 'list', '--json'], { env: withKeyring }),
    runCli(['token', 'mint', '--user', 'dave'], { env: { ...withKeyring, TOKENKIT_API_SECRET: secret } }),
    runCli(['token', 'mint', '--user', 'dave'], { env: { TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'a', secret }, { kid: 'a', secret: other }]) } }),
    runCli(['token', 'mint', '--user', 'dave'], { env: { TOKENKIT_API_SECRETS: secret } }),
  ]);
  expect([minted.code, minted.stderr]).toEqual([0, '']);
  const header = JSON.parse(Buffer.from(minted.stdout.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string };
  expect(header.kid).toBe('initial');
  expect((await verifyUserToken(minted.stdout.trim(), { secret, userId: 'dave' })).user_id).toBe('dave');
  expect(verified.code).toBe(0);
  expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, claims: { user_id: 'erin' } });
  expect(listed.code).toBe(0);
  expect((JSON.parse(listed.stdout) as { secrets: Array<{ kid: string }> }).secrets.map((s) => s.kid)).toEqual(['initial']);
  expect([both.code, both.stderr]).toEqual([2, 'tokenkit: set TOKENKIT_API_SECRET (one secret) or TOKENKIT_API_SECRETS (a keyring), not both\n']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^tokenkit: invalid TOKENKIT_API_SECRETS\[1\]\.kid: duplicates the kid of entry 0\n/);
  expect(notJson.code).toBe(2);
  expect(notJson.stderr).toMatch(/^tokenkit: invalid TOKENKIT_API_SECRETS: not valid JSON; expected a keyring as JSON/);
  for (const r of [minted, verified, listed, both, bad, notJson]) {
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain(other);
  }
});
