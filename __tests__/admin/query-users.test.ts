// Reading users back: GET /v1/users by ids or by page, through queryUsers and
// listUsers, against the emulator over HTTP; and the unknown ids named in a refused PATCH.
import { ApiError, ArgumentError, ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';

let emu: Emulator;
let client: ServerClient;
const N = 2_345;
const ids = Array.from({ length: N }, (_, i) => `user-${String(i).padStart(5, '0')}`);

beforeAll(async () => {
  emu = await startEmulator();
  client = new ServerClient({ apiKey: emu.apiKey, apiSecret: emu.apiSecret, baseUrl: emu.url });
  // Written in a shuffled order: the pages must come back in id order all the same.
  const shuffled = [...ids].sort((a, b) => (a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1));
  await client.upsertUsers(shuffled.map((id, i) => ({ id, name: `User ${i}`, team: i % 3 === 0 ? 'blue' : 'red' })));
});
afterAll(() => emu.close());

test('listUsers pages every user exactly once, in id order, with cutoff and requires_token', async () => {
  await client.revokeUserTokens(['user-00007'], new Date('2026-01-01T00:00:00Z'));
  await client.issueToken('user-00008');
  const seen: string[] = [];
  let page = 0;
  for await (const user of client.listUsers({ limit: 250 })) {
    seen.push(user.id);
    page++;
    if (user.id === 'user-00007') expect(user.revoke_tokens_issued_before).toEqual(new Date('2026-01-01T00:00:00Z'));
    if (user.id === 'user-00008') expect(user.requires_token).toBe(true);
    if (user.id === 'user-00009') expect(user).toMatchObject({ revoke_tokens_issued_before: null, requires_token: false });
  }
  expect(page).toBe(N);
  expect(seen).toEqual(ids);
  expect(new Set(seen).size).toBe(N);
});

test('a user added behind the cursor is not seen twice, one added ahead is seen once', async () => {
  const seen: string[] = [];
  let added = false;
  for await (const user of client.listUsers({ limit: 100 })) {
    seen.push(user.id);
    if (!added && seen.length === 150) {
      added = true;
      await client.upsertUsers([{ id: 'user-00000a' }, { id: 'zz-late' }]); // one before the cursor, one after
    }
  }
  expect(seen.filter((id) => id === 'zz-late')).toHaveLength(1);
  expect(seen).not.toContain('user-00000a');
  expect(new Set(seen).size).toBe(seen.length);
});

test('queryUsers({ ids }) answers those users in the order asked, unknown ids left out', async () => {
  const asked = ['user-00042', 'nobody', 'user-00001', 'user-00042'];
  const { users, next } = await client.queryUsers({ ids: asked });
  expect(users.map((u) => u.id)).toEqual(['user-00042', 'user-00001']);
  expect(users[0]).toMatchObject({ name: expect.stringMatching(/^User /), team: expect.any(String) });
  expect(users[0]?.created_at).toBeInstanceOf(Date);
  expect(next).toBeNull();
});

test('a page: limit and cursor; the last page says next: null', async () => {
  const first = await client.queryUsers({ limit: 3 });
  expect(first.users.map((u) => u.id)).toEqual(['user-00000', 'user-00000a', 'user-00001']);
  expect(typeof first.next).toBe('string');
  const second = await client.queryUsers({ limit: 3, cursor: first.next as string });
  expect(second.users[0]?.id).toBe('user-00002');
  const end = await client.queryUsers({ limit: 1000, cursor: Buffer.from('after:zz-late').toString('base64url') });
  expect(end).toEqual({ users: [], next: null });
});

test('bad input is refused before any request, naming the field', async () => {
  const before = emu.writes().length;
  await expect(client.queryUsers({ ids: [] })).rejects.toThrow(ArgumentError);
  await expect(client.queryUsers({ ids: Array.from({ length: 101 }, (_, i) => `u${i}`) })).rejects.toThrow(/at most 100 ids/);
  await expect(client.queryUsers({ ids: ['bad id'] })).rejects.toThrow(/ids\.0/);
  await expect(client.queryUsers({ limit: 1001 })).rejects.toThrow(/limit/);
  await expect(client.queryUsers({ ids: ['a'], limit: 3 } as never)).rejects.toThrow(ArgumentError);
  expect(() => client.listUsers({ limit: 0 })).toThrow(/listUsers options/);
  expect(emu.writes().length).toBe(before);
});

test('the platform refuses a bad query and a forged cursor (400, code 4)', async () => {
  const get = (query: string) =>
    fetch(`${emu.url}/v1/users${query}`, { headers: { 'Api-Key': emu.apiKey, Authorization: `Bearer ${emu.serverToken()}` } }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { code: number; message: string } }),
    );
  expect(await get('?ids=a,b&limit=2')).toMatchObject({ status: 400, body: { code: 4, message: expect.stringMatching(/ids does not go with limit/) } });
  expect(await get('?cursor=bm9wZQ')).toMatchObject({ status: 400, body: { code: 4, message: expect.stringMatching(/cursor/) } });
  expect(await get('?limit=1&limit=2')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/more than once/) } });
  expect(await get('?colour=red')).toMatchObject({ status: 400, body: { message: expect.stringMatching(/colour/) } });
});

test('a PATCH refused for unknown users names them in unknown_user_ids, and ApiError carries them', async () => {
  const err = await client.revokeUserTokens(['user-00003', 'ghost-1', 'user-00004', 'ghost-2']).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ status: 404, code: 16, unknownUserIds: ['ghost-1', 'ghost-2'] });
});
