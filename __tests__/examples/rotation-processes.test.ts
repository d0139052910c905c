// The planned secret rotation (docs/secret-rotation.md) as it is deployed: the emulator on the real
// clock, the Express example as separate backend processes configured by environment variables
// only (TOKENKIT_API_SECRET before the rotation, then TOKENKIT_API_SECRETS, a keyring as JSON), and
// the runbook's admin steps run by an admin ServerClient (the CLI's are in cli/cli-secret). A deploy restarts a process with a new environment,
// one backend at a time: during the rolling deploy one backend runs with the old keyring and one
// with the new, at the same time. UserClients whose tokens live 2 seconds keep sending requests
// and refreshing through the backends' token-provider endpoints (round robin) while every step
// runs; none may fail. After the retire step, the old secret's tokens are refused with 44.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type KeyringEntry, ServerClient } from 'tokenkit';
import type { UserClient } from 'tokenkit/client';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { type Session, fetchToken, login, tokenFrom } from '../support/backend';
import { serverClientFor, userClientFor } from '../support/clients';
import { type ExampleProcess, bundledCommand, startExample, stopAllExamples } from '../support/example-process';

const VALIDITY_SECONDS = 2;
const USERS = ['alice', 'bob', 'carol', 'dave'];
const PASSWORDS = Object.fromEntries(USERS.map((u) => [u, `${u}-password`]));
/** Pause between two requests of one user. */
const PACE_MS = 20;
/** Every wait of the test is bounded: a condition not met by then fails the test. */
const WAIT_LIMIT_MS = 10_000;
/** The test's own limit: it starts four processes, which a loaded machine makes slow (it takes seconds when idle). */
const TEST_LIMIT_MS = 60_000;

/** The `kid` in a token's header, or `none`. */
function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string };
  return header.kid ?? 'none';
}

/** Waits until `condition()` holds, polling; throws after WAIT_LIMIT_MS naming `what`. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const end = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not within ${WAIT_LIMIT_MS} ms: ${what}`);
    await sleep(10);
  }
}

/**
 * The backends behind a round-robin load balancer, as the users' token providers reach them. A
 * user logs in to a backend the first time it lands there (sessions live in each process). A
 * backend is drained (taken out, its token requests in flight finished) before it is stopped.
 */
class Balancer {
  readonly #live: ExampleProcess[] = [];
  readonly #inFlight = new Map<ExampleProcess, number>();
  readonly #sessions = new Map<string, Session>();
  #next = 0;
  /** Every token a backend gave: which backend (its label) and the token's kid. */
  readonly minted: Array<{ backend: string; kid: string }> = [];
  readonly #labels = new Map<ExampleProcess, string>();

  add(backend: ExampleProcess, label: string): void {
    this.#labels.set(backend, label);
    this.#live.push(backend);
  }

  async drain(backend: ExampleProcess): Promise<void> {
    const at = this.#live.indexOf(backend);
    if (at < 0) throw new Error('drained a backend the balancer does not hold');
    this.#live.splice(at, 1);
    await until('the drained backend answers its token requests in flight', () => (this.#inFlight.get(backend) ?? 0) === 0);
  }

  async token(userId: string): Promise<string> {
    const backend = this.#live[this.#next++ % this.#live.length];
    if (!backend) throw new Error('no backend is running');
    this.#inFlight.set(backend, (this.#inFlight.get(backend) ?? 0) + 1);
    try {
      const token = await tokenFrom(backend.url, userId, PASSWORDS[userId] as string, this.#sessions);
      this.minted.push({ backend: this.#labels.get(backend) ?? '?', kid: kidOf(token) });
      return token;
    } finally {
      this.#inFlight.set(backend, (this.#inFlight.get(backend) ?? 1) - 1);
    }
  }
}

let emulator: Emulator | undefined;
const users: UserClient[] = [];

afterAll(async () => {
  await Promise.all(users.map((u) => u.disconnectUser().catch(() => undefined)));
  await stopAllExamples();
  await emulator?.close();
});

test('planned rotation with two backend processes (old and new keyring side by side): 0 of the user requests fail, then the old secret is refused with 44', async () => {
  const express = bundledCommand('examples/express/server.ts');
  const emu = (emulator = await startEmulator());
  const oldSecret = emu.apiSecret;
  const common = { TOKENKIT_API_KEY: emu.apiKey, TOKENKIT_BASE_URL: emu.url, DEMO_USERS: USERS.map((u) => `${u}:${PASSWORDS[u]}`).join(','), TOKEN_VALIDITY_SECONDS: String(VALIDITY_SECONDS) };
  const balancer = new Balancer();

  // Before the rotation: backend A with the secret as a keyring of one (its kid, `initial`, from
  // `tokenkit secret list`), backend B with the plain secret (its tokens carry no kid).
  const oldKeyring = JSON.stringify([{ kid: 'initial', secret: oldSecret }]);
  const [a, b] = await Promise.all([
    startExample(express, { ...common, TOKENKIT_API_SECRETS: oldKeyring }),
    startExample(express, { ...common, TOKENKIT_API_SECRET: oldSecret }),
  ]);
  balancer.add(a, 'A old');
  balancer.add(b, 'B plain');

  // Users connect through the balancer, then send requests (a read, a write) until told to stop.
  let stopped = false;
  let requests = 0;
  const failures: unknown[] = [];
  const kidsSent = new Set<string>();
  const recordingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const auth = new Headers(init?.headers).get('authorization');
    if (auth) kidsSent.add(kidOf(auth.replace(/^Bearer /, '')));
    return fetch(input, init);
  };
  const send = async (what: () => Promise<unknown>): Promise<void> => {
    requests += 1;
    await what().catch((err: unknown) => void failures.push(err));
  };
  users.push(...USERS.map(() => userClientFor(emu, { fetch: recordingFetch })));
  await Promise.all(users.map((chat, i) => send(() => chat.connectUser({ id: USERS[i] as string }, () => balancer.token(USERS[i] as string)))));
  const loops = users.map(async (chat, i) => {
    const userId = USERS[i] as string;
    const end = Date.now() + TEST_LIMIT_MS; // bounded, whatever happens to the test
    for (let n = 0; !stopped && Date.now() < end; n++) {
      await send(() => (n % 2 === 0 ? chat.getUser(userId) : chat.updateMe({ set: { seen: n } })));
      await sleep(PACE_MS);
    }
  });

  try {
    // 1. Add a secret (the admin signs with the old secret).
    const { kid, secret: newSecret } = await serverClientFor(emu, { apiSecret: oldSecret, maxRetries: 0 }).addSecret();
    const newEntries: KeyringEntry[] = [{ kid, secret: newSecret }, { kid: 'initial', secret: oldSecret }];
    const newKeyring = JSON.stringify(newEntries);

    // 2. Deploy every backend with both secrets, the new one first: one at a time. While B runs
    // the new keyring, A still runs the old one, and users hold and refresh tokens of both.
    await balancer.drain(b);
    await b.stop();
    const b2 = await startExample(express, { ...common, TOKENKIT_API_SECRETS: newKeyring });
    balancer.add(b2, 'B new');
    const mintedBefore = balancer.minted.length;
    await until('A (old keyring) and B (new keyring) both mint tokens while both run', () => {
      const since = balancer.minted.slice(mintedBefore);
      return since.some((m) => m.backend === 'A old' && m.kid === 'initial') && since.some((m) => m.backend === 'B new' && m.kid === kid);
    });
    await balancer.drain(a);
    await a.stop();
    const lastOldMint = Date.now();
    const a2 = await startExample(express, { ...common, TOKENKIT_API_SECRETS: newKeyring });
    balancer.add(a2, 'A new');

    // 3. Promote, with an admin on the new keyring (its first entry signs).
    const admin = serverClientFor(emu, { apiSecret: newEntries, maxRetries: 0 });
    await admin.promoteSecret(kid);

    // 4. Wait for the longest token validity, from the end of the deploy (the last token minted with
    // the old secret; the platform issued none here, so the promotion adds nothing to wait for).
    await sleep(Math.max(0, lastOldMint + (VALIDITY_SECONDS + 1) * 1000 - Date.now()));

    // 5. Retire the old secret, while users work; they keep working after it.
    const retired = await admin.retireSecret('initial');
    expect(retired.map((s) => `${s.kid}:${s.state}`)).toEqual(['initial:retired', `${kid}:primary`]);
    const atRetire = requests;
    const refreshesAtRetire = balancer.minted.length;
    await until('users send requests and refresh their tokens after the retire step', () => requests >= atRetire + USERS.length * 10 && balancer.minted.length > refreshesAtRetire);
    stopped = true;
    await Promise.all(loops);

    expect(failures).toEqual([]);
    // Every backend minted, with the kids the runbook says, and users sent tokens of each.
    const byBackend = (label: string): Set<string> => new Set(balancer.minted.filter((m) => m.backend === label).map((m) => m.kid));
    expect([byBackend('A old'), byBackend('B plain'), byBackend('B new'), byBackend('A new')]).toEqual([new Set(['initial']), new Set(['none']), new Set([kid]), new Set([kid])]);
    expect(kidsSent).toEqual(new Set(['initial', 'none', kid]));
    // Tokens expired along the way and were replaced: more provider calls than connects.
    expect(balancer.minted.length).toBeGreaterThan(USERS.length * 2);
    console.log(`rotation-processes: ${requests} user requests, 0 failed; ${balancer.minted.length} tokens from the providers (${USERS.length} connects)`);

    // After the retire step, tokens signed with the old secret are refused with 44: user tokens
    // with its kid and without one, and the server tokens of admin calls.
    const withOldKid = new ServerClient({ apiKey: emu.apiKey, apiSecret: [{ kid: 'initial', secret: oldSecret }] }).generateUserToken({ user_id: 'alice' });
    const withoutKid = new ServerClient({ apiKey: emu.apiKey, apiSecret: oldSecret }).generateUserToken({ user_id: 'alice' });
    for (const token of [withOldKid, withoutKid]) {
      const chat = userClientFor(emu);
      const refused = await chat.connectUser({ id: 'alice' }, token).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ApiError);
      expect([(refused as ApiError).status, (refused as ApiError).code]).toEqual([401, 44]);
    }
    const stale = await serverClientFor(emu, { apiSecret: oldSecret, maxRetries: 0 }).getApp().catch((err: unknown) => err);
    expect([(stale as ApiError).status, (stale as ApiError).code]).toEqual([401, 44]);
    // The redeployed backends still serve: both mint tokens of the new secret.
    for (const backend of [a2, b2]) {
      const session = await login(backend.url, 'alice', PASSWORDS['alice'] as string);
      if (typeof session === 'number') throw new Error(`login failed: ${session}`);
      expect(kidOf(String((await fetchToken(backend.url, session)).body['token']))).toBe(kid);
    }
  } finally {
    stopped = true;
    await Promise.all(loops);
  }
}, TEST_LIMIT_MS);
