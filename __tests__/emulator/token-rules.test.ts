// Steps 3 to 5 of "How the platform checks a user's request": dev tokens, the JWT checks with the
// clock tolerance, and revocation by the user's and the app's cutoff, and its undo.
import jwt from 'jsonwebtoken';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { mintDevToken } from '../../src/tokens/mint';
import { call, connect, createUsers, expectError, setApp, sign, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const S0 = T0 / 1000;
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('JWT checks (step 4)', () => {
  test.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ user_id: 'alice' })}.`],
    ['alg HS512', () => jwt.sign({ user_id: 'alice' }, emu.apiSecret, { algorithm: 'HS512' })],
    ['another secret', () => jwt.sign({ user_id: 'alice' }, 'not the secret', { algorithm: 'HS256' })],
    ['a changed payload', () => { const [h, , s] = emu.userToken('alice').split('.'); return `${h}.${b64({ user_id: 'alice', admin: true })}.${s}`; }],
    ['two parts', () => 'abc.def'],
    ['garbage with dots', () => 'a.b.c'],
    ['a server token', () => emu.serverToken()],
    ['user_id not a string', () => sign(emu, { user_id: 42 })],
    ['user_id not a valid user id', () => sign(emu, { user_id: 'no spaces allowed' })],
    ['exp not a number', () => sign(emu, { user_id: 'alice', exp: 'tomorrow' })],
  ])('%s is 401, code 43', async (_name, make) => {
    expectError(await connect(emu, {}, make()), 401, 43);
  });

  test('a token without user_id is 46; one for another user is 46', async () => {
    expectError(await connect(emu, {}, sign(emu, { iat: S0 })), 401, 46, /user_id/);
    expectError(await connect(emu, { user_id: 'bob' }, emu.userToken('alice')), 401, 46, /another user/);
  });

  test('exp in the past, or exactly now, is 40', async () => {
    expectError(await connect(emu, {}, sign(emu, { user_id: 'alice', exp: S0 })), 401, 40);
    expectError(await connect(emu, {}, sign(emu, { user_id: 'alice', exp: S0 - 3600 })), 401, 40);
    expect((await connect(emu, {}, sign(emu, { user_id: 'alice', exp: S0 + 1 }))).status).toBe(200);
  });

  test('nbf up to the 5 s tolerance ahead is accepted; beyond it, 41', async () => {
    expect((await connect(emu, {}, sign(emu, { user_id: 'alice', nbf: S0 + 5 }))).status).toBe(200);
    expectError(await connect(emu, {}, sign(emu, { user_id: 'alice', nbf: S0 + 5.001 })), 401, 41);
  });

  test('iat up to the 5 s tolerance ahead is accepted; beyond it, 42', async () => {
    expect((await connect(emu, {}, sign(emu, { user_id: 'alice', iat: S0 + 5 }))).status).toBe(200);
    expectError(await connect(emu, {}, sign(emu, { user_id: 'alice', iat: S0 + 5.001 })), 401, 42);
  });

  test('the clock tolerance is an option', async () => {
    const strict = await startEmulator({ clock, clockToleranceSeconds: 0, apiSecret: emu.apiSecret });
    try {
      expectError(await connect(strict, {}, sign(emu, { user_id: 'alice', iat: S0 + 1 })), 401, 42);
    } finally {
      await strict.close();
    }
  });

  test('a token without exp, nbf or iat is accepted while no cutoff is set', async () => {
    expect((await connect(emu, {}, sign(emu, { user_id: 'alice' }))).body).toMatchObject({ auth: 'jwt' });
  });
});

describe('dev tokens (step 3)', () => {
  test('refused with 43 while auth checks are on', async () => {
    expectError(await connect(emu, {}, mintDevToken('alice')), 401, 43, /disable_auth_checks/);
  });

  test('accepted with disable_auth_checks; the user must still match (46) and a token must still be sent', async () => {
    await setApp(emu, { disable_auth_checks: true, access_token_permission: 'deny_login' });
    expect((await connect(emu, {}, mintDevToken('alice'))).body).toMatchObject({ auth: 'dev', user: { id: 'alice' } });
    expectError(await connect(emu, { user_id: 'bob' }, mintDevToken('alice')), 401, 46);
    expectError(await connect(emu, { user_id: 'alice' }), 401, 45);
  });

  test('with disable_auth_checks, JWT signatures are not checked but their claims are', async () => {
    await setApp(emu, { disable_auth_checks: true });
    const forged = jwt.sign({ user_id: 'alice', iat: S0 }, 'not the secret', { algorithm: 'HS256' });
    expect((await connect(emu, {}, forged)).body).toMatchObject({ auth: 'jwt' });
    expectError(await connect(emu, {}, jwt.sign({ user_id: 'alice', iat: S0 - 9, exp: S0 - 1 }, 'x', { algorithm: 'HS256' })), 401, 40);
  });
});

describe('revocation (step 5)', () => {
  test("the user's cutoff revokes tokens issued in or before its millisecond (44); null undoes it", async () => {
    await createUsers(emu, { id: 'alice' }, { id: 'bob' });
    const early = sign(emu, { user_id: 'alice', iat: (T0 + 499) / 1000 });
    const exact = sign(emu, { user_id: 'alice', iat: (T0 + 500) / 1000 });
    const after = sign(emu, { user_id: 'alice', iat: (T0 + 501) / 1000 });
    const bobs = sign(emu, { user_id: 'bob', iat: (T0 + 499) / 1000 });
    const cutoff = new Date(T0 + 500).toISOString();
    await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: cutoff } }] } });
    clock.advance(1000);
    expectError(await connect(emu, {}, early), 401, 44, /not after the cutoff/);
    // Inclusive: a token issued in the cutoff's millisecond is revoked, one a millisecond later is not.
    expectError(await connect(emu, {}, exact), 401, 44, /not after the cutoff/);
    expect((await connect(emu, {}, after)).status).toBe(200);
    expect((await connect(emu, {}, bobs)).status).toBe(200);
    await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: null } }] } });
    expect((await connect(emu, {}, early)).status).toBe(200);
  });

  test('with a cutoff set, a token without iat is revoked (44)', async () => {
    await createUsers(emu, { id: 'alice' });
    const noIat = sign(emu, { user_id: 'alice' });
    await call(emu, 'DELETE', '/v1/users/alice/token');
    expectError(await connect(emu, {}, noIat), 401, 44, /no iat/);
  });

  test("the app's cutoff revokes every user's older tokens; null restores them", async () => {
    await createUsers(emu, { id: 'alice' }, { id: 'bob' });
    const a = emu.userToken('alice');
    const b = emu.userToken('bob');
    clock.advance(10);
    await setApp(emu, { revoke_tokens_issued_before: new Date(clock.now()).toISOString() });
    expectError(await connect(emu, {}, a), 401, 44);
    expectError(await connect(emu, {}, b), 401, 44);
    expect((await connect(emu, {}, emu.userToken('alice'))).status).toBe(200);
    await setApp(emu, { revoke_tokens_issued_before: null });
    expect((await connect(emu, {}, a)).status).toBe(200);
    expect((await connect(emu, {}, b)).status).toBe(200);
  });

  test('dev tokens have no iat and are not revoked by a cutoff', async () => {
    await setApp(emu, { disable_auth_checks: true, revoke_tokens_issued_before: new Date(T0).toISOString() });
    expect((await connect(emu, {}, mintDevToken('alice'))).status).toBe(200);
  });
});
