// The end-to-end refresh scenario (docs/token-provider.md), with three real parts: the emulator, an example
// backend (its token endpoint built with tokenProvider, authenticate reading a session cookie),
// and a UserClient whose provider calls that backend. Tokens expire, then are revoked, each time
// while 50 requests are in flight: every request succeeds after exactly one provider call.
import { ServerClient, type ServerClientOptions } from 'tokenkit';
import { startEmulator } from 'tokenkit/emulator';
import { fakeDateOnly, moveClock } from '../support/fake-date';
import { door, waitForCount } from '../support/platform';
import { backendProvider, login } from '../support/backend';
import { userClientFor } from '../support/clients';

/** Starts an example backend with these client options, demo users and token validity. */
export type StartBackend = (config: {
  tokenkit: ServerClientOptions;
  users: Record<string, string>;
  tokenValiditySeconds: number;
}) => Promise<{ url: string; close: () => Promise<void> }>;

const VALIDITY_SECONDS = 600;
const IN_FLIGHT = 50;

/** A fetch for the UserClient that can hold the platform requests of a phase at a door. */
function holdingFetch() {
  let phase: { door: ReturnType<typeof door>; held: number } | undefined;
  const tokens: string[] = [];
  return {
    /** Holds the next requests until `release()`; returns the count held so far. */
    hold: () => {
      const current = { door: door(), held: 0 };
      phase = current;
      return { held: () => current.held, release: () => current.door.open() };
    },
    stopHolding: () => {
      phase = undefined;
    },
    tokens,
    fetch: async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const auth = new Headers(init?.headers).get('authorization');
      if (auth) tokens.push(auth);
      const current = phase;
      if (current) {
        current.held += 1;
        await current.door.wait();
      }
      return fetch(input, init);
    },
  };
}

export async function runRefreshScenario(startBackend: StartBackend): Promise<void> {
  // Only Date is faked: the emulator, the backend's ServerClient and the test read one clock,
  // so moving it expires tokens everywhere at once, with no real wait.
  fakeDateOnly();
  const emulator = await startEmulator();
  const tokenkit = { apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url };
  const backend = await startBackend({ tokenkit, users: { alice: 'wonderland' }, tokenValiditySeconds: VALIDITY_SECONDS });
  const admin = new ServerClient({ ...tokenkit, maxRetries: 0 });
  const net = holdingFetch();
  const chat = userClientFor(emulator, { fetch: net.fetch });
  try {
    const session = await login(backend.url, 'alice', 'wonderland');
    if (typeof session === 'number') throw new Error(`login failed: ${session}`);
    const { provider, calls } = backendProvider(backend.url, session);

    const connected = await chat.connectUser({ id: 'alice' }, provider);
    expect(connected.auth).toBe('jwt');
    expect(calls()).toBe(1);

    // Phase 1: 50 requests leave with the current token and are held in flight; the clock moves
    // past exp; then they reach the platform, are refused with 40, and are sent again.
    const expiring = net.hold();
    const reads = Array.from({ length: IN_FLIGHT }, () => chat.getUser('alice'));
    await waitForCount(expiring.held, IN_FLIGHT);
    moveClock((VALIDITY_SECONDS + 1) * 1000);
    net.stopHolding();
    expiring.release();
    const users = await Promise.all(reads);
    expect(users.filter((u) => u.id === 'alice')).toHaveLength(IN_FLIGHT);
    expect(calls()).toBe(2);

    // Phase 2: 50 requests (reads and writes) in flight while alice's tokens are revoked.
    const revoking = net.hold();
    const mixed = Array.from({ length: IN_FLIGHT }, (_, i) =>
      i % 2 === 0 ? chat.getUser('alice') : chat.updateMe({ set: { name: 'Alice', last_write: i } }),
    );
    await waitForCount(revoking.held, IN_FLIGHT);
    moveClock(1000); // the cutoff is a second after the token in use was minted
    const { revokeTokensIssuedBefore } = await admin.revokeUserTokens('alice');
    net.stopHolding();
    revoking.release();
    const results = await Promise.all(mixed);
    expect(results.filter((u) => u.id === 'alice')).toHaveLength(IN_FLIGHT);
    expect(calls()).toBe(3);
    expect(emulator.user('alice')?.revoke_tokens_issued_before?.getTime()).toBe(revokeTokensIssuedBefore.getTime());
    expect(emulator.user('alice')?.name).toBe('Alice');

    // Three tokens in all (connect, after expiry, after revocation), and each request went out
    // at most twice: 1 connect + 50 + 50 + 50 + 50 retries.
    expect(new Set(net.tokens).size).toBe(3);
    expect(net.tokens).toHaveLength(1 + 4 * IN_FLIGHT);
  } finally {
    await chat.disconnectUser();
    await backend.close();
    await emulator.close();
    jest.useRealTimers();
  }
}
