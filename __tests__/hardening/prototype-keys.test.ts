// User ids that are also names of Object.prototype's members ("__proto__", "constructor", ...)
// are valid by the contract (1 to 128 of [A-Za-z0-9@_\-.]). Found by the wire properties: they
// must round-trip like any id, never come back as Object.prototype, and never change a prototype.
import { ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { z } from 'zod';
import { usersResponseSchema } from '../../src/schemas/users';
import { connectOutcome } from './helpers';

const IDS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

let emu: Emulator;
let client: ServerClient;
beforeAll(async () => {
  emu = await startEmulator();
  client = new ServerClient({ apiKey: emu.apiKey, apiSecret: emu.apiSecret, baseUrl: emu.url });
});
afterAll(() => emu.close());

const ownKeys = (o: object): string[] => Object.keys(o).sort();

test('the users-by-id wire shape keeps every id as an own key, "__proto__" included', () => {
  const user = { id: '__proto__', role: 'user', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', revoke_tokens_issued_before: null, requires_token: false };
  const wire = JSON.parse(`{"users":{"__proto__":${JSON.stringify(user)}}}`) as unknown;
  const decoded = z.decode(usersResponseSchema, wire as z.input<typeof usersResponseSchema>);
  expect(Object.getPrototypeOf(decoded.users)).toBe(Object.prototype);
  expect(Object.hasOwn(decoded.users, '__proto__')).toBe(true);
  expect(decoded.users['__proto__']?.created_at).toEqual(new Date('2026-01-01T00:00:00.000Z'));
  expect(JSON.stringify(z.encode(usersResponseSchema, decoded))).toBe(JSON.stringify(wire));
});

test.each(IDS)('user %s: upsert, read, revoke, rotate, issue and connect all answer that user', async (id) => {
  const upserted = await client.upsertUsers([{ id, name: `name of ${id}` }]);
  expect(ownKeys(upserted.users)).toEqual([id]);
  expect(Object.getPrototypeOf(upserted.users)).toBe(Object.prototype);
  expect(upserted.users[id]?.name).toBe(`name of ${id}`);

  await expect(client.getUser(id)).resolves.toMatchObject({ id, name: `name of ${id}` });

  const revoked = await client.revokeUserTokens([id]);
  expect(ownKeys(revoked.users)).toEqual([id]);
  expect(revoked.users[id]?.revoke_tokens_issued_before).toEqual(revoked.revokeTokensIssuedBefore);

  const rotated = await client.rotateUserToken(id);
  expect(rotated.user).not.toBe(Object.prototype);
  expect(rotated.user.id).toBe(id);
  await expect(connectOutcome(emu, rotated.token, id)).resolves.toBe('ok');

  const partial = await client.updateUsersPartial({ users: [{ id, set: { color: 'teal' } }] });
  expect(partial.users[id]).toMatchObject({ id, color: 'teal' });

  const bulk = await client.bulk.revokeUserTokens([id]);
  expect(bulk.counts).toEqual({ done: 1, failed: 0, skipped: 0 });
  expect(emu.user(id)?.id).toBe(id);
});

test('a custom field named "__proto__" (raw JSON) grants nothing and changes no prototype', async () => {
  const raw = (method: string, path: string, body: string, token: string) =>
    fetch(emu.url + path, { method, headers: { 'Api-Key': emu.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });
  const up = await raw('POST', '/v1/users', '{"users":[{"id":"mallory","__proto__":{"role":"admin","requires_token":true}}]}', emu.serverToken());
  expect(up.status).toBe(200);
  expect(emu.user('mallory')).toMatchObject({ role: 'user', requires_token: false });
  const guest = await fetch(emu.url + '/v1/guest', { method: 'POST', headers: { 'Api-Key': emu.apiKey, 'Content-Type': 'application/json' }, body: '{"user":{"id":"visitor"}}' });
  const { access_token } = (await guest.json()) as { access_token: string };
  const me = await raw('PATCH', '/v1/me', '{"set":{"__proto__":{"role":"admin"},"name":"V"}}', access_token);
  expect(me.status).toBe(200);
  expect(emu.user('visitor')).toMatchObject({ role: 'guest', name: 'V' });
  const partial = await raw('PATCH', '/v1/users', '{"users":[{"id":"mallory","set":{"__proto__":{"role":"admin"}}}]}', emu.serverToken());
  expect(partial.status).toBe(200);
  expect(emu.user('mallory')?.role).toBe('user');
});

test('no request changed a prototype', () => {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>)['role']).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});
