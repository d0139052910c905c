// The client routes and rule 1 of "How the platform checks a user's request": tokenless access in
// the three permission modes, anonymous connections, guests, PATCH /v1/me, connections.
import { decodeJwt } from 'jose';
import { type Emulator, GUEST_TOKEN_SECONDS} from 'tokenkit/emulator';
import { call, connect, createUsers, expectError, setApp, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));

type Json = Record<string, unknown>;
const connId = (a: { body: Json }) => a.body['connection_id'] as string;
const patchMe = (body: Json, as: { token?: string; connection?: string }) => call(emu, 'PATCH', '/v1/me', { body, as });
const getUser = (id: string, as: { token?: string; connection?: string }) => call(emu, 'GET', `/v1/users/${id}`, { as });

describe('read_write (the default)', () => {
  test('a tokenless connect of an unknown user creates it (role user, auth none)', async () => {
    const a = await connect(emu, { user_id: 'alice' });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ user: expect.objectContaining({ id: 'alice', role: 'user' }), connection_id: expect.any(String), auth: 'none' });
    expect(emu.writes()).toEqual([expect.objectContaining({ route: 'POST /v1/connect', userId: 'alice', created: true })]);
  });

  test('a tokenless user may read and write its own record', async () => {
    await createUsers(emu, { id: 'bob', name: 'Bob' });
    const conn = connId(await connect(emu, { user_id: 'alice' }));
    expect((await getUser('bob', { connection: conn })).body['user']).toMatchObject({ name: 'Bob' });
    const a = await patchMe({ set: { name: 'Alice', mood: 'fine' } }, { connection: conn });
    expect(a.body['user']).toMatchObject({ id: 'alice', name: 'Alice', mood: 'fine' });
    expect(emu.user('bob')?.name).toBe('Bob');
  });

  test('a tokenless connect without user_id is 400, code 4, naming user_id', async () => {
    expectError(await connect(emu, {}), 400, 4, /user_id: required/);
  });
});

describe('read_only', () => {
  beforeEach(() => setApp(emu, { access_token_permission: 'read_only' }));

  test('a tokenless connect of an existing user is allowed, and it may read', async () => {
    await createUsers(emu, { id: 'alice' }, { id: 'bob' });
    const a = await connect(emu, { user_id: 'alice' });
    expect(a.body['auth']).toBe('none');
    expect((await getUser('bob', { connection: connId(a) })).status).toBe(200);
  });

  test('a tokenless connect of an unknown user is 403, code 17 (creating is a write)', async () => {
    expectError(await connect(emu, { user_id: 'nobody' }), 403, 17);
    expect(emu.user('nobody')).toBeUndefined();
  });

  test('a tokenless write is 403, code 17; the same user with a token may write', async () => {
    await createUsers(emu, { id: 'alice' });
    const conn = connId(await connect(emu, { user_id: 'alice' }));
    expectError(await patchMe({ set: { name: 'A' } }, { connection: conn }), 403, 17);
    const token = emu.userToken('bob');
    const tokened = await connect(emu, {}, token);
    expect(tokened.body).toMatchObject({ auth: 'jwt', user: { id: 'bob' } });
    expect((await patchMe({ set: { name: 'Bob' } }, { token, connection: connId(tokened) })).status).toBe(200);
  });
});

describe('deny_login', () => {
  beforeEach(() => setApp(emu, { access_token_permission: 'deny_login' }));

  test('tokenless, anonymous and guest access is 401, code 45', async () => {
    await createUsers(emu, { id: 'alice' });
    expectError(await connect(emu, { user_id: 'alice' }), 401, 45, /deny_login/);
    expectError(await connect(emu, { anonymous: true }), 401, 45);
    expectError(await call(emu, 'POST', '/v1/guest', { body: { user: { id: 'g1' } }, as: 'key' }), 401, 45);
  });

  test('a connect with a token is allowed and creates an unknown user', async () => {
    const a = await connect(emu, { user_id: 'carol' }, emu.userToken('carol'));
    expect(a.body).toMatchObject({ auth: 'jwt', user: { id: 'carol' } });
  });

  test('an existing tokenless connection is refused once the app turns deny_login (45)', async () => {
    await setApp(emu, { access_token_permission: 'read_write' });
    const conn = connId(await connect(emu, { user_id: 'alice' }));
    await setApp(emu, { access_token_permission: 'deny_login' });
    expectError(await getUser('alice', { connection: conn }), 401, 45);
  });
});

describe('anonymous connections', () => {
  test('connect answers a connection and auth anonymous, no user; it may read but not write (17)', async () => {
    await createUsers(emu, { id: 'bob' });
    const a = await connect(emu, { anonymous: true });
    expect(a.body).toEqual({ connection_id: expect.any(String), auth: 'anonymous' });
    expect((await getUser('bob', { connection: connId(a) })).status).toBe(200);
    expectError(await patchMe({ set: { name: 'x' } }, { connection: connId(a) }), 403, 17, /anonymous/);
  });
});

describe('connections', () => {
  test('a request with neither token nor known connection is 401, code 45', async () => {
    await createUsers(emu, { id: 'bob' });
    expectError(await getUser('bob', {}), 401, 45, /connect first/);
    expectError(await getUser('bob', { connection: 'not-a-connection' }), 401, 45);
  });

  test('a connection opened with a token needs the token on every request (45)', async () => {
    const token = emu.userToken('alice');
    const conn = connId(await connect(emu, {}, token));
    expect((await getUser('alice', { token, connection: conn })).status).toBe(200);
    expectError(await getUser('alice', { connection: conn }), 401, 45, /send it with every request/);
  });

  test("the token is checked on every request: expiry and revocation take effect at once", async () => {
    const token = emu.userToken('alice', { validityInSeconds: 60 });
    const conn = connId(await connect(emu, {}, token));
    clock.advance(30_000);
    await call(emu, 'DELETE', '/v1/users/alice/token');
    expectError(await getUser('alice', { token, connection: conn }), 401, 44);
    const fresh = emu.userToken('alice', { validityInSeconds: 60 });
    expect((await getUser('alice', { token: fresh, connection: conn })).status).toBe(200);
    clock.advance(60_000);
    expectError(await getUser('alice', { token: fresh, connection: conn }), 401, 40);
  });

  test("a token of another user than the connection's is 46, and a connect's user_id must match the token (46)", async () => {
    const conn = connId(await connect(emu, {}, emu.userToken('alice')));
    expectError(await getUser('alice', { token: emu.userToken('bob'), connection: conn }), 401, 46);
    expectError(await connect(emu, { user_id: 'bob' }, emu.userToken('alice')), 401, 46);
  });

  test('GET /v1/users/{id} of an unknown user is 404, code 16', async () => {
    const token = emu.userToken('alice');
    expectError(await getUser('ghost', { token }), 404, 16);
  });
});

describe('guests', () => {
  const guest = (user: Json) => call(emu, 'POST', '/v1/guest', { body: { user }, as: 'key' });

  test('POST /v1/guest creates a guest and answers a 24-hour JWT for it', async () => {
    const a = await guest({ id: 'g1', name: 'Visitor' });
    expect(a.body['user']).toMatchObject({ id: 'g1', name: 'Visitor', role: 'guest', requires_token: true });
    const claims = decodeJwt(a.body['access_token'] as string);
    expect(claims).toEqual({ user_id: 'g1', iat: T0 / 1000, exp: T0 / 1000 + GUEST_TOKEN_SECONDS });
    expect((await connect(emu, {}, a.body['access_token'] as string)).body).toMatchObject({ auth: 'jwt', user: { role: 'guest' } });
  });

  test('an existing guest gets a fresh token; the id of a non-guest is 403, code 17', async () => {
    const first = await guest({ id: 'g1' });
    clock.advance(1000);
    const second = await guest({ id: 'g1', name: 'Back' });
    expect(second.body['access_token']).not.toBe(first.body['access_token']);
    expect(second.body['user']).toMatchObject({ name: 'Back', role: 'guest' });
    await createUsers(emu, { id: 'alice' });
    expectError(await guest({ id: 'alice' }), 403, 17, /not a guest/);
    expect(emu.user('alice')?.role).toBe('user');
  });

  test('a guest may read users and write its own name only (other fields 403, code 17)', async () => {
    await createUsers(emu, { id: 'bob' });
    const token = (await guest({ id: 'g1' })).body['access_token'] as string;
    const conn = connId(await connect(emu, {}, token));
    expect((await getUser('bob', { token, connection: conn })).status).toBe(200);
    expect((await patchMe({ set: { name: 'Guesty' } }, { token, connection: conn })).body['user']).toMatchObject({ name: 'Guesty' });
    expectError(await patchMe({ set: { avatar: 'x.png' } }, { token, connection: conn }), 403, 17, /avatar/);
    expectError(await patchMe({ unset: ['name', 'color'] }, { token, connection: conn }), 403, 17, /color/);
  });

  test('nobody may connect as a guest without its token (45)', async () => {
    await guest({ id: 'g1' });
    expectError(await connect(emu, { user_id: 'g1' }), 401, 45);
  });
});

describe('PATCH /v1/me', () => {
  test('writes the own record only; platform fields are 400, code 4 (a user cannot undo its own revocation)', async () => {
    const token = emu.userToken('alice');
    const conn = connId(await connect(emu, {}, token));
    const a = await patchMe({ set: { name: 'Alice', color: 'red' } }, { token, connection: conn });
    expect(a.body['user']).toMatchObject({ id: 'alice', name: 'Alice', color: 'red' });
    expect((await patchMe({ unset: ['color'] }, { token, connection: conn })).body['user']).not.toHaveProperty('color');
    expectError(await patchMe({ set: { revoke_tokens_issued_before: null } }, { token }), 400, 4, /set\.revoke_tokens_issued_before/);
    expectError(await patchMe({ set: { role: 'admin' } }, { token }), 400, 4, /set\.role/);
    expectError(await patchMe({ unset: ['role'] }, { token }), 400, 4, /unset\.0/);
    expect(emu.user('alice')?.role).toBe('user');
  });
});
