// Bulk runs over ids of which some name no user: the platform names them in its
// refusal, the SDK drops them in one more request (no splitting), and `missing` decides their fate.
import { ApiError, type RequestLogRecord, ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';

let emu: Emulator;
const requests: RequestLogRecord[] = [];
let client: ServerClient;
const known = Array.from({ length: 180 }, (_, i) => `k${i}`);
const ghosts = Array.from({ length: 20 }, (_, i) => `ghost${i}`);
// Every 10th id unknown, as in a file from another system.
const mixed = known.flatMap((id, i) => (i % 9 === 8 ? [id, ghosts[(i - 8) / 9] as string] : [id]));

beforeEach(async () => {
  emu = await startEmulator();
  requests.length = 0;
  client = new ServerClient({ apiKey: emu.apiKey, apiSecret: emu.apiSecret, baseUrl: emu.url, logger: (r) => requests.push(r) });
  await client.upsertUsers(known.map((id) => ({ id })));
  requests.length = 0;
});
afterEach(() => emu.close());

const patches = () => requests.filter((r) => r.method === 'PATCH').length;

test('missing: fail (the default): unknown ids fail with code 16, the rest is done in one more request per batch', async () => {
  const result = await client.bulk.revokeUserTokens(mixed, { concurrency: 1 });
  expect(result.counts).toEqual({ done: 180, failed: 20, skipped: 0 });
  expect(result.failed.map((f) => f.id).sort()).toEqual([...ghosts].sort());
  expect(result.failed[0]?.error).toBeInstanceOf(ApiError);
  expect(result.failed[0]?.error).toMatchObject({ code: 16, message: expect.stringMatching(/user "ghost\d+" not found/) });
  expect(patches()).toBe(4); // 2 batches of 100, each refused once, then sent without the ghosts
  expect(emu.writes({ route: 'PATCH /v1/users' })).toHaveLength(180);
});

test('missing: skip: unknown ids are skipped with reason "unknown"', async () => {
  const reasons: string[] = [];
  const result = await client.bulk.revokeUserTokens(mixed, { missing: 'skip', onItem: (i) => void (i.status === 'skipped' && reasons.push(i.reason)) });
  expect(result.counts).toEqual({ done: 180, failed: 0, skipped: 20 });
  expect(new Set(reasons)).toEqual(new Set(['unknown']));
});

test('missing: create: the users are created, then revoked with the others', async () => {
  const before = new Date('2026-01-01T00:00:00Z');
  const result = await client.bulk.revokeUserTokens(mixed, { missing: 'create', before });
  expect(result.counts).toEqual({ done: 200, failed: 0, skipped: 0 });
  expect(emu.user('ghost3')?.revoke_tokens_issued_before).toEqual(before);
  expect(emu.writes({ route: 'POST /v1/users' }).filter((w) => w.created && w.userId?.startsWith('ghost'))).toHaveLength(20);
});

test('issueTokens: missing skip and create for the per-user route', async () => {
  const skip = await client.bulk.issueTokens(['k1', 'ghost1'], { missing: 'skip' });
  expect(skip.counts).toEqual({ done: 1, failed: 0, skipped: 1 });
  const create = await client.bulk.issueTokens(['k2', 'ghost2'], { missing: 'create' });
  expect(create.counts).toEqual({ done: 2, failed: 0, skipped: 0 });
  expect(emu.user('ghost2')?.requires_token).toBe(true);
  const fail = await client.bulk.issueTokens(['ghost9']);
  expect(fail.failed[0]?.error).toMatchObject({ code: 16 });
});

test('a bad missing value is refused before anything is sent', async () => {
  await expect(client.bulk.revokeUserTokens(['k1'], { missing: 'ignore' as never })).rejects.toThrow(/missing: expected "fail", "skip" or "create"/);
  expect(requests).toHaveLength(0);
});
