// Token issuance by the platform in its three modes, the sticky requires_token, and legacy
// session tokens (contract: "Token issuance by the platform"; docs/platform-api.md, "Issuance").
import { decodeJwt, jwtVerify } from 'jose';
import { COMPATIBILITY_MODE_OFF_MESSAGE, type Emulator} from 'tokenkit/emulator';
import { DEFAULT_PLATFORM_TOKEN_MS } from '../../src/schemas/tokens';
import { call, connect, createUsers, expectError, setApp, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.250Z');
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));

type Json = Record<string, unknown>;
const secretKey = () => new TextEncoder().encode(emu.apiSecret);

describe('JWT mode (the default)', () => {
  test('POST token issues an HS256 JWT { user_id, iat with ms, exp }, 7 days by default, stored nowhere', async () => {
    await createUsers(emu, { id: 'alice' });
    const a = await call(emu, 'POST', '/v1/users/alice/token', { body: {} });
    expect(a.status).toBe(200);
    const token = a.body['token'] as string;
    const { payload, protectedHeader } = await jwtVerify(token, secretKey(), { currentDate: new Date(T0) });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toEqual({ user_id: 'alice', iat: T0 / 1000, exp: Math.floor((T0 + DEFAULT_PLATFORM_TOKEN_MS) / 1000) });
    expect(a.body['expires_at']).toBe((payload.exp as number) * 1000);
    expect(emu.stats().sessionTokens).toBe(0);
    expect((await connect(emu, {}, token)).body['auth']).toBe('jwt');
  });

  test('expires_at sets exp (whole seconds); one in the past is 400, code 4', async () => {
    await createUsers(emu, { id: 'alice' });
    const a = await call(emu, 'POST', '/v1/users/alice/token', { body: { expires_at: T0 + 60_500 } });
    expect(decodeJwt(a.body['token'] as string).exp).toBe(Math.floor((T0 + 60_500) / 1000));
    expect(a.body['expires_at']).toBe(Math.floor((T0 + 60_500) / 1000) * 1000);
    expectError(await call(emu, 'POST', '/v1/users/alice/token', { body: { expires_at: T0 - 1 } }), 400, 4, /expires_at: must be in the future/);
  });

  test('PUT with issue_session_token is refused while compatibility mode is off, and changes nothing', async () => {
    const refused = await call(emu, 'PUT', '/v1/users/newbie', { body: { name: 'N', issue_session_token: true } });
    expectError(refused, 400, 4);
    expect(refused.body['message']).toBe(COMPATIBILITY_MODE_OFF_MESSAGE);
    expect(emu.user('newbie')).toBeUndefined();

    await createUsers(emu, { id: 'alice', name: 'Alice' });
    const before = emu.user('alice');
    clock.advance(1000);
    expectError(await call(emu, 'PUT', '/v1/users/alice', { body: { name: 'Changed', issue_session_token: true } }), 400, 4);
    expect(emu.user('alice')).toEqual(before);
    expect(emu.writes({ route: 'PUT /v1/users/:id' })).toEqual([]);
  });
});

describe('JWT compatibility mode', () => {
  test('PUT with issue_session_token applies the update and returns a JWT as the only session token', async () => {
    await setApp(emu, { jwt_compatibility_mode: true });
    await createUsers(emu, { id: 'alice', name: 'Alice' });
    const a = await call(emu, 'PUT', '/v1/users/alice', { body: { name: 'Alicia', issue_session_token: true, session_token_expires_at: T0 + 3_600_000 } });
    expect(a.status).toBe(200);
    expect(a.body['user']).toMatchObject({ name: 'Alicia', requires_token: true });
    const tokens = a.body['session_tokens'] as Json[];
    expect(tokens).toHaveLength(1);
    const { payload } = await jwtVerify(tokens[0]!['session_token'] as string, secretKey(), { currentDate: new Date(T0) });
    expect(payload).toEqual({ user_id: 'alice', iat: T0 / 1000, exp: (T0 + 3_600_000 - 250) / 1000 });
    expect(tokens[0]!['expires_at']).toBe((payload.exp as number) * 1000);
    expect(emu.stats().sessionTokens).toBe(0);
  });

  test('PUT without issue_session_token issues nothing', async () => {
    await setApp(emu, { jwt_compatibility_mode: true });
    const a = await call(emu, 'PUT', '/v1/users/alice', { body: { name: 'A' } });
    expect(a.body['session_tokens']).toEqual([]);
    expect(emu.user('alice')?.requires_token).toBe(false);
  });
});

describe('legacy mode (jwt_enabled: false)', () => {
  beforeEach(() => setApp(emu, { jwt_enabled: false }));

  test('POST token issues an opaque random session token (256 bits) that only lives as a hash', async () => {
    await createUsers(emu, { id: 'alice' });
    const a = await call(emu, 'POST', '/v1/users/alice/token', { body: { expires_at: T0 + 60_000 } });
    const token = a.body['token'] as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.body['expires_at']).toBe(T0 + 60_000);
    const other = (await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).body['token'];
    expect(other).not.toBe(token);
    expect(emu.stats().sessionTokens).toBe(2);
    expect(JSON.stringify(emu.user('alice'))).not.toContain(token);
    expect(await connect(emu, { user_id: 'alice' }, token)).toMatchObject({ status: 200, body: { auth: 'session' } });
  });

  test('PUT with issue_session_token issues a session token with session_token_expires_at', async () => {
    const a = await call(emu, 'PUT', '/v1/users/bob', { body: { issue_session_token: true, session_token_expires_at: T0 + 5000 } });
    const [entry] = a.body['session_tokens'] as Json[];
    expect(entry).toEqual({ session_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_at: T0 + 5000 });
    expect(a.body['user']).toMatchObject({ requires_token: true });
    expect(emu.writes({ userId: 'bob' })).toEqual([expect.objectContaining({ created: true, tokenIssued: 'session' })]);
  });

  test('a session token is accepted until it expires (then 40)', async () => {
    await createUsers(emu, { id: 'alice' });
    const token = (await call(emu, 'POST', '/v1/users/alice/token', { body: { expires_at: T0 + 10_000 } })).body['token'] as string;
    clock.advance(9_999);
    expect((await connect(emu, {}, token)).status).toBe(200);
    clock.advance(1);
    expectError(await connect(emu, {}, token), 401, 40, /expired/);
  });

  test('DELETE token deletes the stored session tokens (then 44), also when asked for by another route', async () => {
    await createUsers(emu, { id: 'alice' });
    const token = (await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).body['token'] as string;
    const conn = (await connect(emu, {}, token)).body['connection_id'] as string;
    await call(emu, 'DELETE', '/v1/users/alice/token');
    expectError(await connect(emu, {}, token), 401, 44, /deleted/);
    expectError(await call(emu, 'GET', '/v1/users/alice', { as: { token, connection: conn } }), 401, 44);
    expect(emu.writes({ route: 'DELETE /v1/users/:id/token' })[0]?.fields).toContain('session_tokens');
  });

  test("a session token of another user is 46", async () => {
    await createUsers(emu, { id: 'alice' }, { id: 'bob' });
    const token = (await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).body['token'] as string;
    expectError(await connect(emu, { user_id: 'bob' }, token), 401, 46);
  });

  test('a session token stays valid after JWTs are turned back on', async () => {
    await createUsers(emu, { id: 'alice' });
    const token = (await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).body['token'] as string;
    await setApp(emu, { jwt_enabled: true });
    expect((await connect(emu, {}, token)).body['auth']).toBe('session');
  });
});

describe('requires_token is sticky', () => {
  test('issuing a token sets it for good: tokenless access is then 45, and no write can clear it', async () => {
    await createUsers(emu, { id: 'alice', name: 'Alice' });
    expect((await connect(emu, { user_id: 'alice' })).status).toBe(200);
    const issued = await call(emu, 'POST', '/v1/users/alice/token', { body: {} });
    expect(emu.user('alice')?.requires_token).toBe(true);
    expectError(await connect(emu, { user_id: 'alice' }), 401, 45, /must always use a token/);
    // Neither an upsert, a PUT, nor a revocation clears it; set may not name it.
    await createUsers(emu, { id: 'alice', name: 'Again' });
    await call(emu, 'PUT', '/v1/users/alice', { body: { name: 'Put' } });
    await call(emu, 'DELETE', '/v1/users/alice/token');
    await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: null } }] } });
    expectError(await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { requires_token: false } }] } }), 400, 4);
    expect(emu.user('alice')?.requires_token).toBe(true);
    expectError(await connect(emu, { user_id: 'alice' }), 401, 45);
    expect((await connect(emu, {}, issued.body['token'] as string)).status).toBe(200);
  });

  test('a tokenless connection opened before the issuance is refused afterwards (45)', async () => {
    await createUsers(emu, { id: 'alice' });
    const conn = (await connect(emu, { user_id: 'alice' })).body['connection_id'] as string;
    expect((await call(emu, 'GET', '/v1/users/alice', { as: { connection: conn } })).status).toBe(200);
    await call(emu, 'POST', '/v1/users/alice/token', { body: {} });
    expectError(await call(emu, 'GET', '/v1/users/alice', { as: { connection: conn } }), 401, 45);
  });
});

describe("revocation by DELETE token uses the platform's clock, to the millisecond", () => {
  test('tokens issued before the cutoff are 44, at or after it accepted; setting the cutoff to null restores them', async () => {
    await createUsers(emu, { id: 'alice' });
    const before = emu.userToken('alice');
    clock.advance(1);
    await call(emu, 'DELETE', '/v1/users/alice/token');
    const atCutoff = emu.userToken('alice'); // iat * 1000 === cutoff: not revoked
    const issued = (await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).body['token'] as string;
    expectError(await connect(emu, {}, before), 401, 44, /revoked/);
    expect((await connect(emu, {}, atCutoff)).status).toBe(200);
    expect((await connect(emu, {}, issued)).status).toBe(200);
    await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: null } }] } });
    expect((await connect(emu, {}, before)).status).toBe(200);
  });
});
