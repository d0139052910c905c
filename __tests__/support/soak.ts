// Pieces of the fault soaks: a seeded fault sequence, a fetch that counts the attempts of
// each Idempotency-Key, and a tally of the emulator's and the SDK's request logs.
import { type FetchLike, type RequestLogRecord, type ServerClient } from 'tokenkit';
import { type Emulator, type EmulatorLogRecord, type FaultAction, type FaultStats, startEmulator } from 'tokenkit/emulator';
import { seeded } from './hardening';
import { serverClientFor } from './clients';

/** A fault sequence: each entry is a fault with probability `rate`, else a pass; faults drawn evenly. */
export function faultSequence(seed: number, length: number, rate: number): FaultAction[] {
  const random = seeded(seed);
  const faults: FaultAction[] = [429, 500, 503, 'drop', 'drop_after', 'delay'];
  return Array.from({ length }, () => (random() < rate ? (faults[Math.floor(random() * faults.length)] as FaultAction) : 'pass'));
}

/** Adds one plan's injected faults to a running tally by action. */
export function addFaults(total: Record<string, number>, stats: FaultStats): void {
  for (const [action, n] of Object.entries(stats.byAction)) total[action] = (total[action] ?? 0) + n;
}

/** What a soak observed: attempts per Idempotency-Key, SDK log records, emulator log records. */
export interface Observed {
  /** fetch calls per Idempotency-Key (requests without a key are counted under ""). */
  attemptsByKey: Map<string, number>;
  /** The SDK's `logger` records. */
  sdk: RequestLogRecord[];
  /** The emulator's `logger` records. */
  platform: EmulatorLogRecord[];
}

export function observer(): Observed {
  return { attemptsByKey: new Map(), sdk: [], platform: [] };
}

/** The real fetch, counting each call under its Idempotency-Key. */
export function countingFetch(observed: Observed): FetchLike {
  return (input, init) => {
    const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
    const key = headers.get('idempotency-key') ?? '';
    observed.attemptsByKey.set(key, (observed.attemptsByKey.get(key) ?? 0) + 1);
    return fetch(input, init as RequestInit);
  };
}

/** A ServerClient of the emulator that reports to `observed`. */
export function soakClient(emulator: Emulator, observed: Observed, maxRetries: number): ServerClient {
  return serverClientFor(emulator, {
    maxRetries,
    timeoutMs: 10_000,
    fetch: countingFetch(observed),
    logger: (r) => observed.sdk.push(r),
  });
}

/** Counts per key of a list of writes (userId), to check "applied exactly once". */
export function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Runs `work` over `items`, `width` at a time; resolves to the results in order. */
export async function pool<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T, i);
      }
    }),
  );
  return out;
}

/**
 * The set-up both soaks share, as jest hooks: an emulator whose log lines go to `observed`, a
 * counting client with `maxRetries`, the users created, the counts cleared, and the SDK's backoff
 * jitter drawn from a seeded PRNG and scaled to 2% (so that hundreds of retries take milliseconds,
 * not minutes: the budget, in attempts, is what is under test, not the wait).
 */
export function useSoak(
  users: readonly string[],
  maxRetries: number,
  jitterSeed: number,
  observed: Observed,
  onReady: (emulator: Emulator, client: ServerClient) => void,
): void {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ logger: (r) => observed.platform.push(r) });
    const client = soakClient(emulator, observed, maxRetries);
    await client.upsertUsers(users.map((id) => ({ id })));
    observed.sdk.length = 0;
    observed.platform.length = 0;
    observed.attemptsByKey.clear();
    const jitter = seeded(jitterSeed);
    jest.spyOn(Math, 'random').mockImplementation(() => jitter() * 0.02);
    onReady(emulator, client);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await emulator?.close();
  });
}
