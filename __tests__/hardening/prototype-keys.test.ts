// User ids that are also names of Object.prototype's members ("__proto__", "constructor", ...)
// are valid by the contract (1 to 128 of [A-Za-z0-9@_\-.]). Found by the wire properties: they
// must round-trip like any id, never come back as Object.prototype, and never change a prototype.
import { ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { z } from 'zod';
import { usersResponseSchema } from '../../src/schemas/users';
import { UserClient } from 'tokenkit/client';
import { connectOutcome, recordingFetch } from '../support/hardening';
import { serverClientFor } from '../support/clients';

const IDS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

let emu: Emulator;
let client: ServerClient;
beforeAll(async () => {
  emu = await startEmulator();
  client = serverClientFor(emu);
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

test('a field named "__proto__" (raw JSON) is refused by name with 400, code 4, and changes nothing', async () => {
  const raw = (method: string, path: string, body: string, token: string) =>
    fetch(emu.url + path, { method, headers: { 'Api-Key': emu.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });
  const refused = async (res: Response, path: string) => {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(4);
    expect(body.message).toContain(`${path}: "__proto__" may not be used as a field name`);
  };
  await refused(await raw('POST', '/v1/users', '{"users":[{"id":"mallory","__proto__":{"role":"admin","requires_token":true}}]}', emu.serverToken()), 'users.0.__proto__');
  expect(emu.user('mallory')).toBeUndefined();
  await client.upsertUsers([{ id: 'mallory' }]);
  await refused(await raw('PATCH', '/v1/users', '{"users":[{"id":"mallory","set":{"team":{"__proto__":{"role":"admin"}}}}]}', emu.serverToken()), 'users.0.set.team.__proto__');
  // The key written with JSON escapes is the same key, and refused the same way.
  await refused(await raw('PATCH', '/v1/users', String.raw`{"users":[{"id":"mallory","set":{"\u005f_proto\u005f_":{"role":"admin"}}}]}`, emu.serverToken()), 'users.0.set.__proto__');
  await refused(await raw('POST', '/v1/users', String.raw`{"users":[{"id":"mallory","name":"a \"b\"","\u005f\u005fproto\u005f\u005f":{"requires_token":true}}]}`, emu.serverToken()), 'users.0.__proto__');
  const guest = await fetch(emu.url + '/v1/guest', { method: 'POST', headers: { 'Api-Key': emu.apiKey, 'Content-Type': 'application/json' }, body: '{"user":{"id":"visitor"}}' });
  const { access_token } = (await guest.json()) as { access_token: string };
  await refused(await raw('PATCH', '/v1/me', '{"set":{"__proto__":{"role":"admin"},"name":"V"}}', access_token), 'set.__proto__');
  expect(emu.user('visitor')).toMatchObject({ role: 'guest' });
  expect(emu.user('visitor')?.name).toBeUndefined();
  expect(emu.user('mallory')).toMatchObject({ role: 'user', requires_token: false });
});

test('the SDK refuses a "__proto__" field by name before any request (it could not survive a copy)', async () => {
  const { fetch: recording, calls } = recordingFetch();
  const offline = new ServerClient({ apiKey: 'k', apiSecret: 's', baseUrl: 'http://127.0.0.1:9', fetch: recording });
  const proto = JSON.parse('{"__proto__":{"role":"admin"}}') as Record<string, unknown>;
  await expect(offline.upsertUsers([{ id: 'mallory', ...proto }])).rejects.toMatchObject({ code: 'ERR_ARGUMENT', issues: [{ path: 'users.0.__proto__' }] });
  await expect(offline.updateUsersPartial({ users: [{ id: 'mallory', set: { team: proto } }] })).rejects.toMatchObject({
    code: 'ERR_ARGUMENT',
    issues: [{ path: 'users.0.set.team.__proto__' }],
  });
  const chat = new UserClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', fetch: recording });
  await expect(chat.updateMe({ set: proto })).rejects.toMatchObject({ code: 'ERR_ARGUMENT', issues: [{ path: 'set.__proto__' }] });
  expect(calls).toEqual([]);
});

test('no request changed a prototype', () => {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>)['role']).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});
