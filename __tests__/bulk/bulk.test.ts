import { ApiError, ServerClient, type BulkItem } from 'tokenkit';
import type { Emulator, FaultAction } from 'tokenkit/emulator';
import { connectWithToken, setup } from '../support/admin';

let emulator: Emulator;
let client: ServerClient;

beforeAll(async () => {
  // Retries enough for every injected fault: the faults are bounded, so the run must end clean.
  ({ emulator, client } = await setup({}, { maxRetries: 10 }));
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

const ids = (n: number, prefix = 'user') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** How many applied writes set `revoke_tokens_issued_before` on each user (the emulator's audit). */
function revocationWrites(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of emulator.writes({ route: 'PATCH /v1/users', field: 'revoke_tokens_issued_before' })) {
    counts.set(w.userId ?? '', (counts.get(w.userId ?? '') ?? 0) + 1);
  }
  return counts;
}

test('10,000 users under injected 429s, 500s, 503s and dropped connections: every user revoked, each exactly once', async () => {
  const all = ids(10_000);
  await client.upsertUsers(all.map((id) => ({ id })));
  const oldToken = client.generateUserToken({ user_id: 'user4242' });
  // Faults spread over the run (each kind three times), so that their backoffs overlap.
  const pattern: FaultAction[] = ['pass', 429, 'pass', 'pass', 500, 'pass', 'pass', 503, 'pass', 'drop_after', 'pass', 'pass', 'drop', 'pass'];
  emulator.faults.set({ routes: ['PATCH /v1/users'], sequence: Array.from({ length: 3 }, () => pattern).flat(), retryAfterSeconds: 0 });
  const before = new Date(Date.now() + 1);
  const progress: number[] = [];

  const result = await client.bulk.revokeUserTokens(all, {
    before,
    concurrency: 8,
    onProgress: (p) => progress.push(p.done + p.failed),
  });

  const stats = emulator.faults.stats();
  expect(stats.byAction).toEqual({ '429': 3, '500': 3, '503': 3, drop_after: 3, drop: 3 });
  expect(result.total).toBe(10_000);
  expect(result.counts).toEqual({ done: 10_000, failed: 0, skipped: 0 });
  expect(result.failed).toEqual([]);
  expect([...result.done].sort()).toEqual([...all].sort());
  expect(result.complete).toBe(true);
  // Exactly once per user, by the platform's own audit: a dropped answer was replayed, not re-applied.
  const writes = revocationWrites();
  expect(writes.size).toBe(10_000);
  expect([...writes.values()].every((n) => n === 1)).toBe(true);
  expect(all.every((id) => emulator.user(id)?.revoke_tokens_issued_before?.getTime() === before.getTime())).toBe(true);
  expect(await connectWithToken(emulator, oldToken, 'user4242')).toEqual({ status: 401, code: 44 });
  expect(progress.at(-1)).toBe(10_000);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
});

test('unknown ids in a batch: the batch is split, the good ids are done, only the unknown ones fail', async () => {
  const good = ids(295, 'g');
  await client.upsertUsers(good.map((id) => ({ id })));
  const input = [...good];
  for (const [i, ghost] of [[0, 'ghost0'], [57, 'ghost1'], [150, 'ghost2'], [151, 'ghost3'], [299, 'ghost4']] as const) input.splice(i, 0, ghost);
  const result = await client.bulk.revokeUserTokens(input);
  expect(result.counts).toEqual({ done: 295, failed: 5, skipped: 0 });
  expect(result.failed.map((f) => f.id).sort()).toEqual(['ghost0', 'ghost1', 'ghost2', 'ghost3', 'ghost4']);
  expect(result.failed.every((f) => f.error instanceof ApiError && f.error.code === 16)).toBe(true);
  const writes = revocationWrites();
  expect(writes.size).toBe(295);
  expect([...writes.values()].every((n) => n === 1)).toBe(true);
});

test('an async iterable streamed through onItem (the CLI shape): duplicates and bad ids reported, nothing kept', async () => {
  await client.upsertUsers(ids(250).map((id) => ({ id })));
  async function* lines(): AsyncGenerator<string> {
    for (const id of ids(250)) yield id;
    yield 'user7'; // a duplicate
    yield 'not an id';
  }
  const report: Array<BulkItem<string>> = [];
  const result = await client.bulk.revokeUserTokens(lines(), { collect: false, batchSize: 40, onItem: (item) => void report.push(item) });
  expect(result).toMatchObject({ total: 252, done: [], failed: [], skipped: [], counts: { done: 250, failed: 1, skipped: 1 }, complete: true });
  expect(report).toHaveLength(252);
  expect(report.filter((r) => r.status === 'skipped').map((r) => r.id)).toEqual(['user7']);
  expect(report.filter((r) => r.status === 'failed').map((r) => r.id)).toEqual(['not an id']);
  expect(revocationWrites().size).toBe(250);
});

test('a wrong API key stops the run at once instead of failing 1,000 requests', async () => {
  const wrong = new ServerClient({ apiKey: 'wrong', apiSecret: emulator.apiSecret, baseUrl: emulator.url });
  const result = await wrong.bulk.revokeUserTokens(ids(1000), { concurrency: 2 });
  expect(result.stoppedBy).toMatchObject({ code: 2, status: 401 });
  expect(result.counts).toEqual({ done: 0, failed: 1000, skipped: 0 });
  expect(emulator.writes()).toEqual([]);
});

test('bulk issuance: one token per user even when answers are lost, unknown users reported', async () => {
  const users = ids(60, 'm');
  await client.upsertUsers(users.map((id) => ({ id })));
  emulator.faults.set({ routes: ['POST /v1/users/:id/token'], sequence: ['drop_after', 'pass', 503, 'pass', 'drop_after', 429], retryAfterSeconds: 0 });
  const result = await client.bulk.issueTokens([...users, 'ghost'], { concurrency: 6 });
  expect(result.counts).toEqual({ done: 60, failed: 1, skipped: 0 });
  expect(result.failed[0]).toMatchObject({ id: 'ghost', error: { code: 16 } });
  const perUser = new Map<string, number>();
  for (const w of emulator.writes({ route: 'POST /v1/users/:id/token' })) perUser.set(w.userId ?? '', (perUser.get(w.userId ?? '') ?? 0) + 1);
  expect(perUser.size).toBe(60);
  expect([...perUser.values()].every((n) => n === 1)).toBe(true);
  for (const issued of result.done.slice(0, 10)) {
    expect(await connectWithToken(emulator, issued.token, issued.id)).toMatchObject({ status: 200, auth: 'jwt' });
  }
  expect(result.done.every((d) => d.expiresAt instanceof Date)).toBe(true);
});

test('bulk input is checked before anything is sent', async () => {
  await expect(client.bulk.revokeUserTokens('user1' as never)).rejects.toMatchObject({ name: 'ArgumentError' });
  await expect(client.bulk.revokeUserTokens(['a'], { concurrency: 0 })).rejects.toMatchObject({ name: 'ArgumentError' });
  await expect(client.bulk.revokeUserTokens(['a'], { batchSize: 101 })).rejects.toMatchObject({ name: 'ArgumentError' });
  await expect(client.bulk.issueTokens(['a'], { expiresAt: new Date(0) })).rejects.toMatchObject({ name: 'ArgumentError' });
  await expect(client.bulk.issueTokens(['a'], { colour: 1 } as never)).rejects.toMatchObject({ name: 'ArgumentError' });
  expect(emulator.writes()).toEqual([]);
});

test('bulk issuance in compatibility mode while the app has it off: stops at the first refusal, nothing changed', async () => {
  const users = ids(500, 'c');
  await client.upsertUsers(users.map((id) => ({ id })));
  const writes = emulator.writes().length;
  const result = await client.bulk.issueTokens(users, { compatibilityMode: true, concurrency: 2 });
  expect(result.stoppedBy).toMatchObject({ name: 'ApiError', code: 4 });
  expect(result.stoppedBy?.message).toMatch(/jwt_compatibility_mode/);
  expect(result.counts).toEqual({ done: 0, failed: 500, skipped: 0 });
  expect(emulator.writes()).toHaveLength(writes);
});
