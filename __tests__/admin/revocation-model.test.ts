// The revocation rule, model-based: random sequences of minting, platform issuance, user and app revocation
// (no date, new Date(), 'now', DELETE, explicit past and future dates), restores and rotations,
// against one emulator. After every step, each token issued so far is accepted or refused exactly
// as a small reference model predicts, by order of events alone: a "now" cutoff refuses every token
// issued before it and none after; a past date (an hour ago) refuses none of them; a future date
// (an hour ahead) refuses them all (and a future app cutoff makes rotateUserToken refuse to
// rotate). Run on the real clock, and on a frozen clock where every event falls in one
// millisecond (the emulator's manual clock, and Date frozen for the client).
import fc from 'fast-check';
import { type ServerClient, verifyUserToken } from 'tokenkit';
import { type Emulator, createManualClock, startEmulator } from 'tokenkit/emulator';
import { fakeDateOnly } from '../support/fake-date';
import { connectWithToken } from '../support/admin';
import { serverClientFor } from '../support/clients';

const USERS = ['u0', 'u1'] as const;
type UserId = (typeof USERS)[number];
const HOUR = 3_600_000;

/** A cutoff in the model: none, an hour ago, an hour ahead, or "now" at a point in the sequence. */
type Cut = null | 'past' | 'future' | { at: number };

interface Model {
  /** Events so far: tokens are numbered by it, "now" cutoffs fall between them. */
  clock: number;
  tokens: Array<{ user: UserId; at: number; token: string; how: string }>;
  user: Record<UserId, Cut>;
  app: Cut;
}

interface Real {
  emulator: Emulator;
  client: ServerClient;
}

const cuts = (cut: Cut, at: number): boolean => cut === 'future' || (cut !== null && cut !== 'past' && at < cut.at);
const predictedRefused = (m: Model, t: Model['tokens'][number]): boolean => cuts(m.user[t.user], t.at) || cuts(m.app, t.at);

/** Whether the platform accepts the token now, by its rule and the cutoffs it holds. */
async function platformAccepts(r: Real, user: UserId, token: string): Promise<boolean> {
  const revokedBefore = { user: r.emulator.user(user)?.revoke_tokens_issued_before ?? null, app: r.emulator.app().revoke_tokens_issued_before };
  return verifyUserToken(token, { secret: r.emulator.apiSecret, userId: user, revokedBefore }).then(
    () => true,
    () => false,
  );
}

async function checkAll(m: Model, r: Real, step: string): Promise<void> {
  for (const t of m.tokens) {
    const refused = !(await platformAccepts(r, t.user, t.token));
    if (refused !== predictedRefused(m, t)) {
      throw new Error(`after ${step}: token #${t.at} (${t.how}, ${t.user}) is ${refused ? 'refused' : 'accepted'}, the model says otherwise`);
    }
  }
}

const now = (): number => Date.now();
type Step = fc.AsyncCommand<Model, Real>;

class Mint implements Step {
  constructor(readonly user: UserId, readonly platform: boolean) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const token = this.platform ? (await r.client.issueToken(this.user)).token : r.client.generateUserToken({ user_id: this.user });
    m.tokens.push({ user: this.user, at: m.clock++, token, how: this.platform ? 'issueToken' : 'generateUserToken' });
    await checkAll(m, r, this.toString());
  }
  toString = (): string => `${this.platform ? 'issue' : 'mint'}(${this.user})`;
}

type UserHow = 'no date' | 'new Date()' | 'updateUsersPartial new Date()' | 'DELETE' | 'past' | 'future' | 'restore' | 'rotate';
class RevokeUser implements Step {
  constructor(readonly user: UserId, readonly how: UserHow) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const c = r.client;
    const u = this.user;
    let cut: Cut = { at: m.clock++ };
    if (this.how === 'no date') await c.revokeUserTokens(u);
    else if (this.how === 'new Date()') await c.revokeUserTokens(u, new Date());
    else if (this.how === 'updateUsersPartial new Date()') await c.updateUsersPartial({ users: [{ id: u, set: { revoke_tokens_issued_before: new Date() } }] });
    else if (this.how === 'DELETE') await c.revokeAllTokens(u);
    else if (this.how === 'past') await c.revokeUserTokens(u, new Date(now() - HOUR)), (cut = 'past');
    else if (this.how === 'future') await c.revokeUserTokens(u, new Date(now() + HOUR)), (cut = 'future');
    else if (this.how === 'restore') await c.restoreUserTokens(u), (cut = null);
    else if (m.app === 'future') {
      // The new token would be refused: rotateUserToken rejects (44) and changes nothing.
      await expect(c.rotateUserToken(u)).rejects.toMatchObject({ name: 'TokenError', code: 44 });
      cut = m.user[u];
    } else {
      const { token } = await c.rotateUserToken(u);
      m.user[u] = cut;
      m.tokens.push({ user: u, at: m.clock++, token, how: 'rotateUserToken' });
    }
    m.user[u] = cut;
    await checkAll(m, r, this.toString());
  }
  toString = (): string => `revokeUser(${this.user}, ${this.how})`;
}

type AppHow = "'now'" | 'new Date()' | 'updateApp new Date()' | 'past' | 'future' | 'restore';
class RevokeApp implements Step {
  constructor(readonly how: AppHow) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const c = r.client;
    let cut: Cut = { at: m.clock++ };
    if (this.how === "'now'") await c.revokeAppTokens('now');
    else if (this.how === 'new Date()') await c.revokeAppTokens(new Date());
    else if (this.how === 'updateApp new Date()') await c.updateApp({ revoke_tokens_issued_before: new Date() });
    else if (this.how === 'past') await c.revokeAppTokens(new Date(now() - HOUR)), (cut = 'past');
    else if (this.how === 'future') await c.revokeAppTokens(new Date(now() + HOUR)), (cut = 'future');
    else await c.restoreAppTokens(), (cut = null);
    m.app = cut;
    await checkAll(m, r, this.toString());
  }
  toString = (): string => `revokeApp(${this.how})`;
}

const userArb = fc.constantFrom(...USERS);
const commands = fc.commands(
  [
    fc.tuple(userArb, fc.boolean()).map(([u, p]) => new Mint(u, p)),
    fc.tuple(userArb, fc.boolean()).map(([u, p]) => new Mint(u, p)),
    fc
      .tuple(userArb, fc.constantFrom<UserHow>('no date', 'new Date()', 'updateUsersPartial new Date()', 'DELETE', 'past', 'future', 'restore', 'rotate'))
      .map(([u, how]) => new RevokeUser(u, how)),
    fc.constantFrom<AppHow>("'now'", 'new Date()', 'updateApp new Date()', 'past', 'future', 'restore').map((how) => new RevokeApp(how)),
  ],
  { maxCommands: 30, size: 'max' },
);

const RUNS = Number(process.env['REVOCATION_MODEL_RUNS'] ?? 25);
const counts: Record<string, { runs: number; steps: number }> = {};
afterAll(() => {
  if (process.env['TOKENKIT_LOOP_REPORT']) console.log(JSON.stringify(counts));
});

/** Runs the property against `emulator`; `fresh` prepares each run (a new client, the emulator reset). */
async function runModel(name: string, emulator: Emulator, beforeRun: () => void): Promise<void> {
  const tally = (counts[name] = { runs: 0, steps: 0 });
  await fc.assert(
    fc.asyncProperty(commands, async (cmds) => {
      beforeRun();
      await emulator.reset();
      const client = serverClientFor(emulator);
      await client.upsertUsers(USERS.map((id) => ({ id })));
      const model: Model = { clock: 0, tokens: [], user: { u0: null, u1: null }, app: null };
      const real: Real = { emulator, client };
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      tally.runs++;
      tally.steps += [...cmds].length;
      // The last verdicts from the platform itself, over HTTP: 44 where the model says refused.
      for (const t of model.tokens) {
        const answer = await connectWithToken(emulator, t.token, t.user);
        expect(answer.status === 401 && answer.code === 44).toBe(predictedRefused(model, t));
      }
    }),
    { numRuns: RUNS },
  );
}

test('on the real clock: every verdict after every step is the model\'s', async () => {
  const emulator = await startEmulator();
  try {
    await runModel('real clock', emulator, () => undefined);
  } finally {
    await emulator.close();
  }
}, 180_000);

describe('on a frozen clock: every event in one millisecond', () => {
  const start = Date.parse('2026-03-01T12:00:00.000Z');
  const clock = createManualClock(start);
  let runNo = 0;
  beforeAll(() => fakeDateOnly());
  afterAll(() => jest.useRealTimers());

  test('every verdict after every step is the model\'s', async () => {
    const emulator = await startEmulator({ clock });
    try {
      await runModel('frozen clock', emulator, () => {
        // Each run in a millisecond of its own, shared by the client (Date) and the emulator.
        const ms = start + ++runNo * 10_000;
        clock.set(ms);
        jest.setSystemTime(ms);
      });
    } finally {
      await emulator.close();
    }
  }, 180_000);
});
