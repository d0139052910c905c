// The retry budget under heavy faults: with maxRetries 2 and most requests faulted, calls
// fail, and none makes more than 3 attempts (the SDK's logger, a counting fetch). A failed call
// may still have been applied (its answer lost: drop_after), so the caller runs it again with
// the same Idempotency-Key: the platform replays what it applied and applies what it did not.
// In the end every write is applied exactly once and the state is the intended one.
import { ApiError, ConnectionError, type ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { type Observed, addFaults, countBy, faultSequence, observer, pool, useSoak } from '../support/soak';

const MAX_RETRIES = 2;
const USERS = Array.from({ length: 240 }, (_, i) => `budget-${i}`);

let emu: Emulator;
let client: ServerClient;
const observed: Observed = observer();
const injected: Record<string, number> = {};

useSoak(USERS, MAX_RETRIES, 5, observed, (e, c) => {
  emu = e;
  client = c;
});

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
const settle = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

test('under 60% faults no call exceeds 3 attempts; the failures, run again with their keys, end applied exactly once', async () => {
  const update = (id: string, i: number) => client.updateUsersPartial({ users: [{ id, set: { step: i } }] }, { idempotencyKey: `job-7/update/${id}` });
  const issue = (id: string) => client.issueToken(id, { idempotencyKey: `job-7/issue/${id}` });

  emu.faults.set({ sequence: faultSequence(11, 3000, 0.6), retryAfterSeconds: 0, delayMs: 2 });
  const updates = await pool(USERS, 8, (id, i) => settle(update(id, i)));
  const issued = await pool(USERS.slice(0, 120), 8, (id) => settle(issue(id)));
  addFaults(injected, emu.faults.stats());
  emu.faults.clear();

  // The budget held: no attempt number beyond maxRetries + 1, no key sent more than that.
  const attempts = observed.sdk.map((r) => r.attempt);
  expect(Math.max(...attempts)).toBe(MAX_RETRIES + 1); // reached, never passed
  expect(Math.max(...observed.attemptsByKey.values())).toBeLessThanOrEqual(MAX_RETRIES + 1);
  expect(observed.attemptsByKey.size).toBe(USERS.length + 120); // one key per call
  expect(observed.sdk.filter((r) => r.attempt === 1).length).toBe(USERS.length + 120); // one first attempt per call
  expect(observed.platform.length).toBe(observed.sdk.length);

  // Calls failed, each with the error of its last attempt, saying how many attempts it took.
  const failed = [...updates, ...issued].filter((o): o is { ok: false; error: unknown } => !o.ok);
  expect(failed.length).toBeGreaterThan(20);
  for (const f of failed) {
    expect(f.error instanceof ApiError || f.error instanceof ConnectionError).toBe(true);
    if (f.error instanceof ApiError) {
      expect([429, 500, 503]).toContain(f.error.status);
      expect(f.error.message).toContain(`after ${MAX_RETRIES + 1} attempts`);
    }
  }

  // Some failed calls were applied all the same (drop_after lost the answer): at most once each.
  const stepWrites = countBy(emu.writes({ field: 'step' }), (w) => w.userId);
  expect([...stepWrites.values()].every((n) => n === 1)).toBe(true);
  const failedIds = USERS.filter((_, i) => !updates[i]?.ok);
  const appliedButFailed = failedIds.filter((id) => stepWrites.has(id));
  expect(appliedButFailed.length).toBeGreaterThan(0); // the case the key is for: re-running them must not apply them again

  // The caller runs every failed call again, with the same key, without faults.
  const rerunUpdates = await pool(USERS, 8, (id, i) => (updates[i]?.ok ? Promise.resolve({ ok: true as const, value: null }) : settle(update(id, i))));
  const rerunIssued = await pool(USERS.slice(0, 120), 8, (id, i) => (issued[i]?.ok ? Promise.resolve({ ok: true as const, value: null }) : settle(issue(id))));
  expect([...rerunUpdates, ...rerunIssued].filter((o) => !o.ok)).toEqual([]);

  // Exactly once: every user written once, every token issued once, the state as intended.
  const finalSteps = countBy(emu.writes({ field: 'step' }), (w) => w.userId);
  expect(finalSteps.size).toBe(USERS.length);
  expect([...finalSteps.values()].every((n) => n === 1)).toBe(true);
  const tokens = countBy(
    emu.writes({ route: 'POST /v1/users/:id/token' }).filter((w) => w.tokenIssued !== undefined),
    (w) => w.userId,
  );
  expect(tokens.size).toBe(120);
  expect([...tokens.values()].every((n) => n === 1)).toBe(true);
  USERS.forEach((id, i) => expect(emu.user(id)?.['step']).toBe(i));
  if (process.env['HARDENING_REPORT']) {
    process.stdout.write(`budget: ${observed.sdk.length} attempts, ${failed.length} calls failed (${appliedButFailed.length} of them applied: drop_after), faults ${JSON.stringify(injected)}\n`);
  }
});
