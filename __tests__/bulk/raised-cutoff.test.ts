// Bulk revocation reads only the cutoffs of its answers (not whole users), and still sees a
// cutoff the platform raised: the next token this process mints is stamped after it. Over real
// HTTP to the emulator, with a fetch that raises the cutoffs in the answers, as a platform may
// (docs/platform-api.md), or breaks them.
import { ResponseShapeError, ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { setup } from '../support/admin';

let emulator: Emulator;
beforeAll(async () => {
  ({ emulator } = await setup());
  await new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url }).upsertUsers(
    Array.from({ length: 150 }, (_, i) => ({ id: `u${i}` })),
  );
});
afterAll(() => emulator.close());

/** A client whose PATCH /v1/users answers pass through `edit` (each user's cutoff). */
function clientEditing(edit: (cutoff: string) => unknown): ServerClient {
  return new ServerClient({
    apiKey: emulator.apiKey,
    apiSecret: emulator.apiSecret,
    baseUrl: emulator.url,
    maxRetries: 0,
    fetch: async (input, init) => {
      const res = await fetch(input, init as RequestInit);
      if (init?.method !== 'PATCH' || !res.ok) return res;
      const body = (await res.json()) as { users: Record<string, { revoke_tokens_issued_before: string }> };
      for (const user of Object.values(body.users)) user.revoke_tokens_issued_before = edit(user.revoke_tokens_issued_before) as string;
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    },
  });
}

const iatMs = (token: string): number => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number }).iat * 1000;

test('a cutoff the platform raised in an answer is observed: the next token is stamped after it', async () => {
  let raised = 0;
  const client = clientEditing(() => {
    // 900 ms ahead of the clock: within its lead (MAX_LEAD_MS), so "now" for the next token.
    raised = Math.max(raised, Date.now() + 900);
    return new Date(raised).toISOString();
  });
  const before = new Date();
  const result = await client.bulk.revokeUserTokens(
    Array.from({ length: 150 }, (_, i) => `u${i}`),
    { before },
  );
  expect(result.counts).toEqual({ done: 150, failed: 0, skipped: 0 });
  expect(result.done).toHaveLength(150);
  expect(raised).toBeGreaterThan(before.getTime());
  // Without the answer's cutoff the clock would stamp "now", before `raised`.
  expect(iatMs(client.generateUserToken({ user_id: 'u1' }))).toBeGreaterThan(raised);
});

test('an answer whose cutoff breaks the contract fails its batch with a ResponseShapeError naming the field', async () => {
  const client = clientEditing(() => 'tomorrow');
  const result = await client.bulk.revokeUserTokens(['u1', 'u2'], { before: new Date() });
  expect(result.counts).toEqual({ done: 0, failed: 2, skipped: 0 });
  const error = result.failed[0]!.error as ResponseShapeError;
  expect(error).toBeInstanceOf(ResponseShapeError);
  expect(error.issues).toEqual([
    { path: 'users.u1.revoke_tokens_issued_before', message: expect.stringContaining('RFC 3339') },
    { path: 'users.u2.revoke_tokens_issued_before', message: expect.stringContaining('RFC 3339') },
  ]);
  expect(error.message).toContain('PATCH /v1/users');
});
