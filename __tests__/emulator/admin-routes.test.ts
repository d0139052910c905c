// The admin routes of the contract: app settings and users (docs/platform-api.md, "Users").
import { type Emulator} from 'tokenkit/emulator';
import { call, createUsers, expectError, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));

const iso = (ms: number) => new Date(ms).toISOString();
type Json = Record<string, unknown>;
const userOf = (a: { body: Json }, id?: string): Json =>
  (id === undefined ? a.body['user'] : (a.body['users'] as Record<string, Json>)[id]) as Json;

describe('app settings', () => {
  test('GET /v1/app answers the contract defaults', async () => {
    const a = await call(emu, 'GET', '/v1/app');
    expect(a.body).toEqual({
      app: {
        revoke_tokens_issued_before: null,
        disable_auth_checks: false,
        access_token_permission: 'read_write',
        jwt_enabled: true,
        jwt_compatibility_mode: false,
      },
    });
  });

  test('PATCH /v1/app changes only the settings given, and GET shows them', async () => {
    const a = await call(emu, 'PATCH', '/v1/app', { body: { access_token_permission: 'read_only', jwt_compatibility_mode: true } });
    expect(a.status).toBe(200);
    const app = (await call(emu, 'GET', '/v1/app')).body['app'] as Json;
    expect(app).toMatchObject({ access_token_permission: 'read_only', jwt_compatibility_mode: true, jwt_enabled: true, disable_auth_checks: false });
    expect(emu.writes({ route: 'PATCH /v1/app' })).toEqual([
      expect.objectContaining({ fields: ['access_token_permission', 'jwt_compatibility_mode'] }),
    ]);
  });

  test('the app revocation cutoff is set with a date and undone with null', async () => {
    await call(emu, 'PATCH', '/v1/app', { body: { revoke_tokens_issued_before: '2026-01-01T00:00:00.500Z' } });
    expect(emu.app().revoke_tokens_issued_before?.toISOString()).toBe('2026-01-01T00:00:00.500Z');
    const a = await call(emu, 'PATCH', '/v1/app', { body: { revoke_tokens_issued_before: null } });
    expect((a.body['app'] as Json)['revoke_tokens_issued_before']).toBeNull();
  });
});

describe('POST /v1/users (upsert)', () => {
  test('creates users with role user, times, no revocation, no token required, and custom fields', async () => {
    const a = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice', name: 'Alice', team: { id: 7 } }, { id: 'bob', role: 'admin' }] } });
    expect(a.status).toBe(200);
    expect(userOf(a, 'alice')).toEqual({
      id: 'alice',
      name: 'Alice',
      role: 'user',
      team: { id: 7 },
      created_at: iso(T0),
      updated_at: iso(T0),
      revoke_tokens_issued_before: null,
      requires_token: false,
    });
    expect(userOf(a, 'bob')).toMatchObject({ role: 'admin' });
    expect(emu.writes().map((w) => [w.userId, w.created])).toEqual([['alice', true], ['bob', true]]);
  });

  test('replaces name and custom fields, keeps role unless given, and keeps created_at, the cutoff and requires_token', async () => {
    await createUsers(emu, { id: 'alice', name: 'Alice', role: 'admin', color: 'red' });
    await call(emu, 'POST', '/v1/users/alice/token', { body: {} });
    await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: iso(T0) } }] } });
    clock.advance(1000);
    const a = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice', size: 'L' }] } });
    expect(userOf(a, 'alice')).toEqual({
      id: 'alice',
      role: 'admin',
      size: 'L',
      created_at: iso(T0),
      updated_at: iso(T0 + 1000),
      revoke_tokens_issued_before: iso(T0),
      requires_token: true,
    });
    const b = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice', role: 'user' }] } });
    expect(userOf(b, 'alice')['role']).toBe('user');
  });

  test('updated_at moves only where a field changed', async () => {
    await createUsers(emu, { id: 'alice', name: 'Alice' });
    clock.advance(5000);
    const same = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice', name: 'Alice' }] } });
    expect(userOf(same, 'alice')['updated_at']).toBe(iso(clock.now() - 5000));
    const changed = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice', name: 'Alicia' }] } });
    expect(userOf(changed, 'alice')['updated_at']).toBe(iso(clock.now()));
    expect(userOf(changed, 'alice')['created_at']).toBe(iso(clock.now() - 5000));
  });

  test('100 users pass; 101 are refused as a whole (400, code 4) and nothing is applied', async () => {
    const users = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i}` }));
    expectError(await call(emu, 'POST', '/v1/users', { body: { users: users(101) } }), 400, 4, /users: must hold at most 100 users/);
    expect(emu.stats().users).toBe(0);
    expect((await call(emu, 'POST', '/v1/users', { body: { users: users(100) } })).status).toBe(200);
    expect(emu.stats().users).toBe(100);
  });

  test('the same id twice is refused, naming both places, and nothing is applied', async () => {
    const a = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'a' }, { id: 'b' }, { id: 'a' }] } });
    expectError(a, 400, 4, /users\.2\.id: duplicates users\.0\.id/);
    expect(emu.stats().users).toBe(0);
  });

  test('a platform field is refused (400, code 4), naming it', async () => {
    const a = await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'a', revoke_tokens_issued_before: null }] } });
    expectError(a, 400, 4, /users\.0\.revoke_tokens_issued_before: may not be written here/);
  });
});

describe('GET /v1/users/{id}', () => {
  test('answers the user', async () => {
    await createUsers(emu, { id: 'a.b-c_d@e', name: 'Odd' });
    const a = await call(emu, 'GET', `/v1/users/${encodeURIComponent('a.b-c_d@e')}`);
    expect(userOf(a)).toMatchObject({ id: 'a.b-c_d@e', name: 'Odd' });
  });

  test('an unknown user is 404, code 16', async () => {
    expectError(await call(emu, 'GET', '/v1/users/nobody'), 404, 16, /nobody/);
  });
});

describe('PATCH /v1/users (partial update)', () => {
  test('sets and unsets fields, sets and undoes the revocation cutoff', async () => {
    await createUsers(emu, { id: 'alice', name: 'Alice', color: 'red', size: 'M' });
    const a = await call(emu, 'PATCH', '/v1/users', {
      body: { users: [{ id: 'alice', set: { color: 'blue', role: 'admin', revoke_tokens_issued_before: iso(T0 + 1) }, unset: ['size', 'name'] }] },
    });
    expect(userOf(a, 'alice')).toMatchObject({ color: 'blue', role: 'admin', revoke_tokens_issued_before: iso(T0 + 1) });
    expect(userOf(a, 'alice')).not.toHaveProperty('size');
    expect(userOf(a, 'alice')).not.toHaveProperty('name');
    const b = await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: null } }] } });
    expect(userOf(b, 'alice')['revoke_tokens_issued_before']).toBeNull();
  });

  test('an unknown user is 404, code 16, and nothing in the batch is applied', async () => {
    await createUsers(emu, { id: 'alice', name: 'Alice' });
    const a = await call(emu, 'PATCH', '/v1/users', {
      body: { users: [{ id: 'alice', set: { name: 'Changed' } }, { id: 'ghost', set: { name: 'x' } }] },
    });
    expectError(a, 404, 16, /"ghost" \(users\.1\.id\)/);
    expect(emu.user('alice')?.name).toBe('Alice');
    expect(emu.writes({ route: 'PATCH /v1/users' })).toEqual([]);
  });

  test.each([
    ['requires_token in set', { id: 'alice', set: { requires_token: false } }, /users\.0\.set\.requires_token/],
    ['unset of role', { id: 'alice', unset: ['role'] }, /users\.0\.unset\.0: "role" may not be unset/],
    ['unset of the cutoff', { id: 'alice', unset: ['revoke_tokens_issued_before'] }, /set it to null/],
    ['neither set nor unset', { id: 'alice' }, /give set, unset or both/],
    ['a field both set and unset', { id: 'alice', set: { a: 1 }, unset: ['a'] }, /"a" is both set and unset/],
  ])('%s is 400, code 4', async (_name, entry, message) => {
    await createUsers(emu, { id: 'alice' });
    expectError(await call(emu, 'PATCH', '/v1/users', { body: { users: [entry] } }), 400, 4, message);
  });
});

describe('PUT /v1/users/{id}', () => {
  test('creates a user, then replaces its name and custom fields', async () => {
    const a = await call(emu, 'PUT', '/v1/users/carol', { body: { name: 'Carol', city: 'Oslo' } });
    expect(a.body).toEqual({ user: expect.objectContaining({ id: 'carol', name: 'Carol', city: 'Oslo', role: 'user' }), session_tokens: [] });
    const b = await call(emu, 'PUT', '/v1/users/carol', { body: { name: 'Caroline' } });
    expect(userOf(b)).toMatchObject({ name: 'Caroline' });
    expect(userOf(b)).not.toHaveProperty('city');
    expect(emu.writes({ userId: 'carol' }).map((w) => w.created ?? false)).toEqual([true, false]);
  });

  test('platform fields are refused (400, code 4)', async () => {
    expectError(await call(emu, 'PUT', '/v1/users/carol', { body: { created_at: iso(T0) } }), 400, 4, /created_at/);
    expect(emu.user('carol')).toBeUndefined();
  });
});

describe('DELETE /v1/users/{id}/token', () => {
  test("sets the user's cutoff to the emulator's now and answers it", async () => {
    await createUsers(emu, { id: 'alice' });
    clock.advance(1234);
    const a = await call(emu, 'DELETE', '/v1/users/alice/token');
    expect(a.body).toEqual({ revoke_tokens_issued_before: iso(clock.now()) });
    expect(emu.user('alice')?.revoke_tokens_issued_before?.getTime()).toBe(clock.now());
  });

  test('an unknown user is 404, code 16', async () => {
    expectError(await call(emu, 'DELETE', '/v1/users/ghost/token'), 404, 16);
    expectError(await call(emu, 'POST', '/v1/users/ghost/token', { body: {} }), 404, 16);
  });
});
