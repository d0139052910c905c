// Secret rotation, end to end: the planned and the emergency secret rotations (docs/secret-rotation.md)
// on the emulator, with the parts of the refresh scenario: example Express backends (tokenProvider,
// cookie sessions) and UserClients refreshing through token providers. Two backends run at the
// same time, one on the old keyring and one on the new, behind a round-robin "load balancer";
// users keep sending requests while each step runs, and none may fail. Only Date is faked: moving
// it expires tokens everywhere at once, so the waits of the runbook take no real time.
import { ApiError, type KeyringEntry, ServerClient } from 'tokenkit';
import type { UserClient } from 'tokenkit/client';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { createApp } from '../../examples/express/app';
import { type Served, serve } from '../support/serve';
import { fakeDateOnly, moveClock } from '../support/fake-date';
import { type Session, tokenFrom } from '../support/backend';
import { serverClientFor, userClientFor } from '../support/clients';

const VALIDITY_SECONDS = 600;
const STEP_MS = 250_000; // each round moves the clock: tokens expire every third round
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const PASSWORDS = Object.fromEntries(USERS.map((u) => [u, `${u}-password`]));

/** Backends behind a round-robin balancer; a user logs in to a backend the first time it lands there. */
class Balancer {
  readonly live: Served[] = [];
  #next = 0;
  readonly #sessions = new Map<string, Session>();
  calls = 0;

  async token(userId: string): Promise<string> {
    this.calls += 1;
    const backend = this.live[this.#next++ % this.live.length];
    if (!backend) throw new Error('no backend is running');
    return tokenFrom(backend.url, userId, PASSWORDS[userId] as string, this.#sessions);
  }
}

/** The `kid` in a token's header, or `none`. */
function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string };
  return header.kid ?? 'none';
}

interface World {
  emulator: Emulator;
  balancer: Balancer;
  users: UserClient[];
  /** Kids of the tokens users sent, as their fetch saw them. */
  kidsSent: Set<string>;
  requests: () => number;
  failures: unknown[];
  /** Every user sends a read and a write, all at once; failures are collected, not thrown. */
  round: () => Promise<void>;
  backend: (keyring: KeyringEntry[]) => Promise<Served>;
  close: () => Promise<void>;
}

async function world(): Promise<World> {
  fakeDateOnly();
  const emulator = await startEmulator();
  const balancer = new Balancer();
  const kidsSent = new Set<string>();
  const failures: unknown[] = [];
  const backends: Served[] = [];
  let requests = 0;
  const recordingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const auth = new Headers(init?.headers).get('authorization');
    if (auth) kidsSent.add(kidOf(auth.replace(/^Bearer /, '')));
    return fetch(input, init);
  };
  const users = USERS.map(() => userClientFor(emulator, { fetch: recordingFetch }));
  const w: World = {
    emulator,
    balancer,
    users,
    kidsSent,
    failures,
    requests: () => requests,
    round: async () => {
      const sent = users.flatMap((chat, i) => [chat.getUser(USERS[i] as string), chat.updateMe({ set: { last_seen: Date.now() } })]);
      requests += sent.length;
      for (const r of await Promise.allSettled(sent)) if (r.status === 'rejected') failures.push(r.reason);
      moveClock(STEP_MS);
    },
    backend: async (keyring) => {
      const client = serverClientFor(emulator, { apiSecret: keyring });
      const served = await serve(createApp({ client, users: PASSWORDS, tokenValiditySeconds: VALIDITY_SECONDS }));
      backends.push(served);
      return served;
    },
    close: async () => {
      await Promise.all(users.map((u) => u.disconnectUser()));
      await Promise.all(backends.map((b) => b.close().catch(() => undefined)));
      await emulator.close();
      jest.useRealTimers();
    },
  };
  return w;
}

/** The app as it runs before a rotation: one backend on the old keyring, every user connected through the balancer. */
async function beforeRotation(w: World): Promise<{ oldKeyring: KeyringEntry[]; admin: ServerClient; backendOld: Served }> {
  const oldKeyring: KeyringEntry[] = [{ kid: 'initial', secret: w.emulator.apiSecret }];
  const admin = serverClientFor(w.emulator, { apiSecret: oldKeyring, maxRetries: 0 });
  const backendOld = await w.backend(oldKeyring);
  w.balancer.live.push(backendOld);
  await Promise.all(w.users.map((chat, i) => chat.connectUser({ id: USERS[i] as string }, () => w.balancer.token(USERS[i] as string))));
  return { oldKeyring, admin, backendOld };
}

/** Stops a backend and takes it out of the balancer (the end of a rolling deploy). */
async function stop(w: World, backend: Served): Promise<void> {
  w.balancer.live.splice(w.balancer.live.indexOf(backend), 1);
  await backend.close();
}

test('planned rotation: add, deploy both (old and new backends side by side), promote, wait, retire: 0 user requests fail, then the old secret is refused with 44', async () => {
  const w = await world();
  try {
    const { oldKeyring, admin, backendOld } = await beforeRotation(w);
    await w.round();

    // 1. Add, while users work.
    const [{ kid, secret }] = await Promise.all([admin.addSecret(), w.round()]);
    const newKeyring: KeyringEntry[] = [{ kid, secret }, ...oldKeyring];

    // 2. Deploy: a backend with the new keyring starts while the old one still serves; tokens of
    // both secrets are in use at once, and expire and are refreshed through either backend.
    const backendNew = await w.backend(newKeyring);
    w.balancer.live.push(backendNew);
    for (let i = 0; i < 4; i++) await w.round();
    expect(w.kidsSent).toEqual(new Set(['initial', kid]));
    await stop(w, backendOld);

    // 3. Promote, while users work (the admin now signs with the new keyring).
    const rotatedAdmin = serverClientFor(w.emulator, { apiSecret: newKeyring, maxRetries: 0 });
    await Promise.all([rotatedAdmin.promoteSecret(kid), w.round()]);

    // 4. Wait for the longest token validity (the rounds move the clock past it).
    const waitRounds = Math.ceil((VALIDITY_SECONDS * 1000) / STEP_MS);
    for (let i = 0; i < waitRounds; i++) await w.round();

    // 5. Retire, while users work, and after.
    const [secrets] = await Promise.all([rotatedAdmin.retireSecret('initial'), w.round()]);
    expect(secrets.map((s) => `${s.kid}:${s.state}`)).toEqual(['initial:retired', `${kid}:primary`]);
    for (let i = 0; i < 3; i++) await w.round();

    expect(w.failures).toEqual([]);
    expect(w.requests()).toBe(USERS.length * 2 * (1 + 1 + 4 + 1 + waitRounds + 1 + 3));
    // Tokens expired along the way and were replaced through the providers, by both backends.
    expect(w.balancer.calls).toBeGreaterThan(USERS.length * 4);

    // After the retire step, tokens signed with the old secret are refused with 44: user tokens
    // with its kid and without one (a backend on a plain string secret), and server tokens.
    const withOldKid = new ServerClient({ apiKey: w.emulator.apiKey, apiSecret: oldKeyring }).generateUserToken({ user_id: 'alice' });
    const withoutKid = new ServerClient({ apiKey: w.emulator.apiKey, apiSecret: oldKeyring[0]?.secret as string }).generateUserToken({ user_id: 'alice' });
    for (const token of [withOldKid, withoutKid]) {
      const chat = userClientFor(w.emulator);
      const refused = await chat.connectUser({ id: 'alice' }, token).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ApiError);
      expect([(refused as ApiError).status, (refused as ApiError).code]).toEqual([401, 44]);
      expect((refused as ApiError).message).toMatch(/signed with the retired secret "initial"/);
    }
    const stale = await admin.getApp().catch((err: unknown) => err);
    expect([(stale as ApiError).status, (stale as ApiError).code]).toEqual([401, 44]);
    // The new keyring still verifies locally what the new backend mints; the platform agrees.
    expect(await rotatedAdmin.getApp()).toMatchObject({ jwt_enabled: true });
  } finally {
    await w.close();
  }
});

test('emergency rotation: add, promote, retire at once while users hold tokens of the old secret: each user refreshes once, 0 requests fail', async () => {
  const w = await world();
  try {
    const { oldKeyring, admin, backendOld } = await beforeRotation(w);
    const connects = w.balancer.calls;

    // The new keyring is deployed at once (the old secret only verifies, nothing signs with it).
    const { kid, secret } = await admin.addSecret();
    const backendNew = await w.backend([{ kid, secret }, ...oldKeyring]);
    w.balancer.live.push(backendNew);
    await stop(w, backendOld);
    await admin.promoteSecret(kid);
    // Every user still holds an unexpired token of the leaked secret; retiring it ends them all.
    await Promise.all([admin.retireSecret('initial'), w.round()]);
    await w.round();

    expect(w.failures).toEqual([]);
    // What users see: one refresh each (the first round's requests that met 44), nothing else.
    expect(w.balancer.calls - connects).toBe(USERS.length);
    expect(w.kidsSent).toEqual(new Set(['initial', kid]));
  } finally {
    await w.close();
  }
});
