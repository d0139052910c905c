// A bounded soak under injected faults: random 429, 500, 503, dropped connections (before
// and after the request is applied) and delays, drawn from a seeded PRNG, across bulk revocation,
// issuance and partial updates. Nothing is lost (every id ends done or failed, with its reason),
// nothing is applied twice (the emulator's write audit), the final state is the intended one, and
// no call makes more than maxRetries + 1 attempts (the SDK's logger and a counting fetch).
import type { ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { seeded } from '../support/hardening';
import { type Observed, addFaults, countBy, faultSequence, observer, pool, useSoak } from '../support/soak';

const MAX_RETRIES = 10; // a call fails only after 11 faults in a row: at a 20% rate, ~1e-8 per call
const USERS = Array.from({ length: 1200 }, (_, i) => `soak-${String(i).padStart(4, '0')}`);
const GHOSTS = Array.from({ length: 40 }, (_, i) => `ghost-${i}`);
const CUTOFF = new Date(Date.now() - 60_000);

let emu: Emulator;
let client: ServerClient;
const observed: Observed = observer();
const injected: Record<string, number> = {};
const byPhase: Record<string, Record<string, number>> = {};

useSoak(USERS, MAX_RETRIES, 99, observed, (e, c) => {
  emu = e;
  client = c;
});

function withFaults(seed: number, length: number): void {
  emu.faults.set({ sequence: faultSequence(seed, length, 0.2), retryAfterSeconds: 0, delayMs: 5 });
}
function endFaults(phase: string): void {
  addFaults(injected, emu.faults.stats());
  addFaults((byPhase[phase] = {}), emu.faults.stats());
  emu.faults.clear();
}

test('bulk revocation of 1,240 ids (40 unknown) under faults: every id accounted for, each known user revoked once', async () => {
  const shuffled = [...USERS, ...GHOSTS];
  const random = seeded(7);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
  }
  withFaults(1, 4000);
  const result = await client.bulk.revokeUserTokens(shuffled, { before: CUTOFF, concurrency: 6, batchSize: 50 });
  endFaults('revoke');
  expect(byPhase['revoke']?.['drop_after']).toBeGreaterThan(0); // applied, answer lost, retried: still one write

  expect(result.total).toBe(USERS.length + GHOSTS.length);
  expect(result.counts).toEqual({ done: USERS.length, failed: GHOSTS.length, skipped: 0 });
  expect(new Set(result.done)).toEqual(new Set(USERS));
  expect(result.failed.map((f) => f.id).sort()).toEqual([...GHOSTS].sort());
  for (const f of result.failed) expect(f.error).toMatchObject({ name: 'ApiError', status: 404, code: 16 });

  const writes = emu.writes({ route: 'PATCH /v1/users', field: 'revoke_tokens_issued_before' });
  const perUser = countBy(writes, (w) => w.userId);
  expect(perUser.size).toBe(USERS.length);
  expect([...perUser.values()].every((n) => n === 1)).toBe(true);
  for (const id of USERS) expect(emu.user(id)?.revoke_tokens_issued_before).toEqual(CUTOFF);
});

test('bulk issuance of 400 tokens under faults: one token per user, each valid, the replayed answer returned after a lost one', async () => {
  const ids = USERS.slice(0, 400);
  withFaults(2, 3000);
  const result = await client.bulk.issueTokens(ids, { concurrency: 8 });
  endFaults('issue');
  expect(byPhase['issue']?.['drop_after']).toBeGreaterThan(0);

  expect(result.counts).toEqual({ done: 400, failed: 0, skipped: 0 });
  const issued = emu.writes({ route: 'POST /v1/users/:id/token' }).filter((w) => w.tokenIssued === 'jwt');
  const perUser = countBy(issued, (w) => w.userId);
  expect(perUser.size).toBe(400);
  expect([...perUser.values()].every((n) => n === 1)).toBe(true);
  // Each token is the user's, issued after the cutoff: accepted by the platform's rules.
  for (const t of result.done) {
    const claims = await client.verifyUserToken(t.token, { userId: t.id, revokedBefore: { user: CUTOFF } });
    expect(claims.user_id).toBe(t.id);
  }
  for (const id of ids) expect(emu.user(id)?.requires_token).toBe(true);
});

test('partial updates under faults: 300 single-user calls and 6 calls of 100, each applied once, the state as intended', async () => {
  const singles = USERS.slice(400, 700);
  const batches = [0, 1, 2, 3, 4, 5].map((b) => USERS.slice(b * 100, b * 100 + 100));
  withFaults(3, 3000);
  const outcomes = await pool(singles, 8, (id, i) =>
    client.updateUsersPartial({ users: [{ id, set: { plan: `gold-${i}`, n: i } }] }).then(
      () => 'ok',
      (e: unknown) => e,
    ),
  );
  const batchOutcomes = await pool(batches, 3, (ids, b) =>
    client.updateUsersPartial({ users: ids.map((id) => ({ id, set: { tier: b }, unset: ['nothing-here'] })) }).then(
      () => 'ok',
      (e: unknown) => e,
    ),
  );
  endFaults('partial');
  expect(byPhase['partial']?.['drop_after']).toBeGreaterThan(0);

  expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
  expect(batchOutcomes.filter((o) => o !== 'ok')).toEqual([]);
  const plan = countBy(emu.writes({ field: 'plan' }), (w) => w.userId);
  const tier = countBy(emu.writes({ field: 'tier' }), (w) => w.userId);
  expect(plan.size).toBe(300);
  expect(tier.size).toBe(600);
  expect([...plan.values(), ...tier.values()].every((n) => n === 1)).toBe(true);
  singles.forEach((id, i) => expect(emu.user(id)).toMatchObject({ plan: `gold-${i}`, n: i }));
  batches.forEach((ids, b) => ids.forEach((id) => expect(emu.user(id)?.['tier']).toBe(b)));
});

test('the final state of every user is the intended one', () => {
  USERS.forEach((id, i) => {
    const u = emu.user(id);
    expect(u?.revoke_tokens_issued_before).toEqual(CUTOFF);
    expect(u?.requires_token).toBe(i < 400);
    if (i >= 400 && i < 700) expect(u).toMatchObject({ plan: `gold-${i - 400}`, n: i - 400 });
    else expect(u?.['plan']).toBeUndefined();
    expect(u?.['tier']).toBe(i < 600 ? Math.floor(i / 100) : undefined);
  });
  for (const id of GHOSTS) expect(emu.user(id)).toBeUndefined();
});

test('no call went past its budget, and the SDK logged every attempt the platform saw', () => {
  const total = Object.values(injected).reduce((a, b) => a + b, 0);
  // A floor on the faults exercised. The platform names unknown ids and the bulk run
  // drops them in one more request instead of halving batches, so the run sends fewer requests.
  expect(total).toBeGreaterThan(150);
  for (const action of ['429', '500', '503', 'drop', 'drop_after', 'delay']) expect(injected[action] ?? 0).toBeGreaterThan(0);

  expect(Math.max(...observed.sdk.map((r) => r.attempt))).toBeLessThanOrEqual(MAX_RETRIES + 1);
  const perKey = [...observed.attemptsByKey.entries()].filter(([k]) => k !== '');
  expect(perKey.length).toBeGreaterThan(700);
  expect(Math.max(...perKey.map(([, n]) => n))).toBeLessThanOrEqual(MAX_RETRIES + 1);
  // Every attempt the SDK made reached the platform, and the platform saw no other request.
  const fetchCalls = [...observed.attemptsByKey.values()].reduce((a, b) => a + b, 0);
  expect(observed.sdk.length).toBe(fetchCalls);
  expect(observed.platform.length).toBe(fetchCalls);
  // Some calls were retried, some several times: the faults reached the SDK.
  expect(observed.sdk.filter((r) => r.attempt > 1).length).toBeGreaterThan(100);
  expect(observed.sdk.filter((r) => r.error === 'ConnectionError').length).toBeGreaterThan(0);
  if (process.env['HARDENING_REPORT']) process.stdout.write(`soak: ${fetchCalls} requests, faults ${JSON.stringify(injected)}\n`);
});
