// A bounded load: 3,000 connects with valid tokens from 32 concurrent clients. No request is lost,
// and memory stays flat: the connection and idempotency stores stay at their caps, and the heap
// after the run is close to the heap after a warm-up. (bench/emulator.ts runs 20,000 x 32.)
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import { type Emulator, startEmulator } from 'tokenkit/emulator';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CLIENTS = 32;
const USERS = 64;
const CAP = 500;
let emu: Emulator;
let tokens: string[];
// undici.request with a pool of 32 sockets: lighter than fetch, so the run stays short.
const dispatcher = new Agent({ connections: CLIENTS });

beforeAll(async () => {
  emu = await startEmulator({ maxConnections: CAP, maxIdempotencyKeys: CAP });
  tokens = Array.from({ length: USERS }, (_, i) => emu.userToken(`load-user-${i}`, { validityInSeconds: 3600 }));
});
afterAll(async () => {
  await dispatcher.close();
  await emu.close();
});

/** `total` connects from `CLIENTS` concurrent loops; returns the statuses and connection ids seen. */
async function connects(total: number): Promise<{ ok: number; failed: string[]; ids: Set<string> }> {
  let next = 0;
  let ok = 0;
  const failed: string[] = [];
  const ids = new Set<string>();
  const client = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) {
      const token = tokens[i % USERS]!;
      try {
        const res = await request(`${emu.url}/v1/connect`, {
          method: 'POST',
          headers: { 'Api-Key': emu.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
          body: '{}',
          dispatcher,
        });
        const body = (await res.body.json()) as { connection_id?: string; user?: { id?: string } };
        if (res.statusCode === 200 && body.user?.id === `load-user-${i % USERS}` && body.connection_id) {
          ok++;
          ids.add(body.connection_id);
        } else failed.push(`${i}: ${res.statusCode}`);
      } catch (err) {
        failed.push(`${i}: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { ok, failed, ids };
}

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

test('3,000 connects from 32 clients: none lost, stores capped, heap flat', async () => {
  const warm = await connects(1000);
  expect(warm.failed).toEqual([]);
  const before = heapMb();

  const run = await connects(3000);
  expect(run.failed).toEqual([]);
  expect(run.ok).toBe(3000);
  expect(run.ids.size).toBe(3000);

  const after = heapMb();
  const stats = emu.stats();
  expect(stats.connections).toBe(CAP);
  expect(stats.connectionsEvicted).toBe(4000 - CAP);
  expect(stats.idempotencyKeys).toBe(CAP);
  expect(stats.users).toBe(USERS);
  // Generous: the test's own HTTP client shares the heap (about 1 MB of noise). Unbounded stores
  // are caught by the counts above; this bound catches gross leaks, such as requests kept alive.
  expect(after - before).toBeLessThan(16);
});
