// Idempotency-Key: the first answer is replayed for 10 minutes (same status, same body), so a
// retried write is applied once (docs/platform-api.md, "Errors and limits").
import { randomUUID } from 'node:crypto';
import { type Emulator, IDEMPOTENCY_WINDOW_MS} from 'tokenkit/emulator';
import { call, createUsers, expectError, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));
beforeEach(async () => {
  await createUsers(emu, { id: 'alice' });
});

const issue = (key: string, body: Record<string, unknown> = {}) =>
  call(emu, 'POST', '/v1/users/alice/token', { body, headers: { 'Idempotency-Key': key } });

test('a retry with the same key gets the first answer, and no second token is issued', async () => {
  const key = randomUUID();
  const first = await issue(key);
  clock.advance(5000);
  const second = await issue(key);
  expect(second.status).toBe(first.status);
  expect(second.body).toEqual(first.body);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  expect(emu.writes({ route: 'POST /v1/users/:id/token' })).toHaveLength(1);
});

test('another key is another request', async () => {
  const a = await issue(randomUUID());
  clock.advance(1);
  const b = await issue(randomUUID());
  expect(b.body['token']).not.toBe(a.body['token']);
  expect(emu.writes({ route: 'POST /v1/users/:id/token' })).toHaveLength(2);
});

test('the answer is kept for 10 minutes, then the key is forgotten', async () => {
  const key = randomUUID();
  const first = await issue(key);
  clock.advance(IDEMPOTENCY_WINDOW_MS - 1);
  expect((await issue(key)).body).toEqual(first.body);
  clock.advance(1);
  const later = await issue(key);
  expect(later.headers.get('idempotent-replayed')).toBeNull();
  expect(later.body['token']).not.toBe(first.body['token']);
});

test('a key reused for another request is 400, code 4', async () => {
  const key = randomUUID();
  await issue(key);
  expectError(await issue(key, { expires_at: T0 + 60_000 }), 400, 4, /Idempotency-Key was already used/);
  expectError(await call(emu, 'DELETE', '/v1/users/alice/token', { headers: { 'Idempotency-Key': key } }), 400, 4);
});

test('refusals are not kept: a retry after the cause is fixed is applied', async () => {
  const key = randomUUID();
  const body = { users: [{ id: 'bob', set: { name: 'Bob' } }] };
  expectError(await call(emu, 'PATCH', '/v1/users', { body, headers: { 'Idempotency-Key': key } }), 404, 16);
  await createUsers(emu, { id: 'bob' });
  const retry = await call(emu, 'PATCH', '/v1/users', { body, headers: { 'Idempotency-Key': key } });
  expect(retry.status).toBe(200);
  expect(emu.user('bob')?.name).toBe('Bob');
});

test('client routes replay only to the same credentials', async () => {
  const key = randomUUID();
  const token = emu.userToken('alice');
  const first = await call(emu, 'POST', '/v1/connect', { body: {}, as: { token }, headers: { 'Idempotency-Key': key } });
  const replay = await call(emu, 'POST', '/v1/connect', { body: {}, as: { token }, headers: { 'Idempotency-Key': key } });
  expect(replay.body['connection_id']).toBe(first.body['connection_id']);
  const other = await call(emu, 'POST', '/v1/connect', { body: {}, as: { token: emu.userToken('bob') }, headers: { 'Idempotency-Key': key } });
  expectError(other, 400, 4, /already used/);
});

test('a client replay checks the token again: a token revoked or expired since gets 44 or 40, not the stored answer', async () => {
  const token = emu.userToken('alice', { validityInSeconds: 60 });
  const me = (key: string) => call(emu, 'PATCH', '/v1/me', { body: { set: { name: 'A' } }, as: { token }, headers: { 'Idempotency-Key': key } });
  const revoked = randomUUID();
  expect((await me(revoked)).status).toBe(200);
  clock.advance(10);
  expect((await call(emu, 'DELETE', '/v1/users/alice/token')).status).toBe(200);
  expectError(await me(revoked), 401, 44);

  await call(emu, 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: null } }] } });
  const expired = randomUUID();
  expect((await me(expired)).status).toBe(200);
  clock.advance(61_000);
  expectError(await me(expired), 401, 40);
});

test.each([
  ['too long', 'k'.repeat(256)],
  ['with a space', 'a b'],
])('a key %s is 400, code 4', async (_name, key) => {
  expectError(await issue(key), 400, 4, /Idempotency-Key/);
});

test('GET ignores the key', async () => {
  const a = await call(emu, 'GET', '/v1/users/alice', { headers: { 'Idempotency-Key': 'a b' } });
  expect(a.status).toBe(200);
});
