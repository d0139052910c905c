// Emulator throughput: 20,000 connects with valid tokens from 32 concurrent clients over real
// HTTP on 127.0.0.1, and the emulator's heap before and after (issue 3). Run:
// `npx tsx bench/emulator.ts`, or `npm run bench -- --only emulator`.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import { startEmulator } from '../src/emulator/index';
import { type Row, runMain } from './lib';

const TOTAL = 20_000;
const CLIENTS = 32;
const USERS = 1000;

/** Runs `total` connects from `CLIENTS` loops; returns the successes. Any other answer fails the bench. */
async function load(url: string, apiKey: string, tokens: readonly string[], total: number, dispatcher: Agent): Promise<number> {
  let next = 0;
  let ok = 0;
  const client = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) {
      // undici.request rather than fetch: fetch's web streams cost more CPU than the emulator itself.
      const res = await request(`${url}/v1/connect`, {
        method: 'POST',
        headers: { 'Api-Key': apiKey, Authorization: `Bearer ${tokens[i % tokens.length]}`, 'Content-Type': 'application/json' },
        body: '{}',
        dispatcher,
      });
      const body = (await res.body.json()) as { connection_id?: string };
      if (res.statusCode !== 200 || !body.connection_id) throw new Error(`connect ${i} answered ${res.statusCode}`);
      ok++;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return ok;
}

// A full GC before each heap reading, without needing `node --expose-gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Connects per second for 20,000 connects from 32 clients, and the heap growth over the run. */
export async function run(): Promise<Row[]> {
  const emulator = await startEmulator();
  const dispatcher = new Agent({ connections: CLIENTS, keepAliveTimeout: 10_000 });
  try {
    const tokens = Array.from({ length: USERS }, (_, i) => emulator.userToken(`bench-user-${i}`, { validityInSeconds: 3600 }));
    // Warm-up: JIT, sockets, users created, and the connection store filled to its cap (10,000).
    await load(emulator.url, emulator.apiKey, tokens, 10_000, dispatcher);
    const heapBefore = heapMb();
    const started = process.hrtime.bigint();
    const ok = await load(emulator.url, emulator.apiKey, tokens, TOTAL, dispatcher);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const heapAfter = heapMb();
    const stats = emulator.stats();
    return [
      { name: `emulator: ${TOTAL.toLocaleString('en-US')} connects x ${CLIENTS} clients`, value: Math.round(ok / seconds), unit: 'connects/s', note: `${ok} ok, ${seconds.toFixed(2)} s` },
      {
        name: 'emulator: heap growth over the run',
        value: Math.round((heapAfter - heapBefore) * 10) / 10,
        unit: 'MB',
        note: `after a 10,000-connect warm-up; ${stats.connections} connections kept (the cap), ${stats.connectionsEvicted} evicted`,
      },
    ];
  } finally {
    await dispatcher.close();
    await emulator.close();
  }
}

if (require.main === module) runMain('emulator', run);
