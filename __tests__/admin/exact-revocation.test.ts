import { type ServerClient, verifyUserToken } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { connectWithToken, useAdminEmulator } from '../support/admin';

// Exact revocation: every documented way of saying "now" revokes every token issued before the call and
// none issued after it, including tokens issued in the same millisecond. Each path runs in a loop
// on the real clock, no pause between the calls; misses are counted and must be 0. The verdicts
// are the platform's own rule applied to the cutoffs the emulator holds (checked over HTTP too,
// every 250th round). The platform issues a token before and after the call in one round in ten.

const ROUNDS = 1000;

let emulator: Emulator;
let client: ServerClient;

useAdminEmulator([{ id: 'loop' }], (e, c) => {
  emulator = e;
  client = c;
});

/** Whether the platform accepts `token` for `loop` now: its rule, with the cutoffs it holds. */
async function accepted(token: string): Promise<boolean> {
  const revokedBefore = { user: emulator.user('loop')?.revoke_tokens_issued_before ?? null, app: emulator.app().revoke_tokens_issued_before };
  return verifyUserToken(token, { secret: emulator.apiSecret, userId: 'loop', revokedBefore }).then(
    () => true,
    () => false,
  );
}

interface Misses {
  rounds: number;
  /** Tokens issued before the call that were still accepted. */
  survived: number;
  /** Tokens issued after the call that were refused. */
  refused: number;
}

/**
 * `rounds` times: a token minted by the client and one issued by the platform, the revocation,
 * then one of each again. Before: refused; after: accepted.
 */
async function loop(revoke: () => Promise<unknown>, rounds = ROUNDS): Promise<Misses> {
  const misses: Misses = { rounds, survived: 0, refused: 0 };
  for (let i = 0; i < rounds; i++) {
    const mintedBefore = client.generateUserToken({ user_id: 'loop' });
    const issuedBefore = i % 10 === 0 ? (await client.issueToken('loop')).token : undefined;
    await revoke();
    const mintedAfter = client.generateUserToken({ user_id: 'loop' });
    const issuedAfter = i % 10 === 5 ? (await client.issueToken('loop')).token : undefined;
    for (const t of [mintedBefore, issuedBefore]) if (t !== undefined && (await accepted(t))) misses.survived++;
    for (const t of [mintedAfter, issuedAfter]) if (t !== undefined && !(await accepted(t))) misses.refused++;
    if (i % 250 === 0) {
      // The same verdicts from the platform itself, over HTTP.
      expect((await connectWithToken(emulator, mintedBefore, 'loop')).code).toBe(44);
      expect((await connectWithToken(emulator, mintedAfter, 'loop')).status).toBe(200);
    }
  }
  await client.restoreUserTokens('loop');
  await client.restoreAppTokens();
  return misses;
}

const results: Record<string, Misses> = {};
afterAll(() => {
  if (process.env['TOKENKIT_LOOP_REPORT']) console.log(JSON.stringify(results, null, 1));
});

const PATHS: Array<[string, () => Promise<unknown>]> = [
  ['revokeUserTokens(id), no date', () => client.revokeUserTokens('loop')],
  ['revokeUserTokens(id, new Date())', () => client.revokeUserTokens('loop', new Date())],
  ['updateUsersPartial set: new Date()', () => client.updateUsersPartial({ users: [{ id: 'loop', set: { revoke_tokens_issued_before: new Date() } }] })],
  ['revokeAppTokens(new Date())', () => client.revokeAppTokens(new Date())],
  ["revokeAppTokens('now')", () => client.revokeAppTokens('now')],
  ['updateApp revoke_tokens_issued_before: new Date()', () => client.updateApp({ revoke_tokens_issued_before: new Date() })],
  ['revokeAllTokens(id): DELETE, the platform picks the cutoff', () => client.revokeAllTokens('loop')],
  ['rotateUserToken(id)', () => client.rotateUserToken('loop')],
];

describe.each(PATHS)('%s', (name, revoke) => {
  test(`${ROUNDS} rounds on the real clock: every token issued before is refused, every one after accepted`, async () => {
    const misses = await loop(revoke);
    results[name] = misses;
    expect(misses).toEqual({ rounds: ROUNDS, survived: 0, refused: 0 });
  }, 120_000); // bounded by ROUNDS; the time only matters on a machine under load
});
