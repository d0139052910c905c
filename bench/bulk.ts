// Bulk revocation throughput: 100,000 users revoked through `client.bulk.revokeUserTokens`
// (PATCH /v1/users, 100 users a request) against a local emulator over real HTTP on 127.0.0.1
// (issue 4). The emulator runs in this process, so its work counts against the figure: it is the
// SDK's throughput with a platform that answers at once, not a platform's. Run:
// `npx tsx bench/bulk.ts`, or `npm run bench -- --only bulk`.

import { ServerClient } from '../src/index';
import { startEmulator } from '../src/emulator/index';
import { type Row, median, runMain } from './lib';

const USERS = 100_000;

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Users revoked per second, median of rounds, at a few concurrencies. */
export async function run(): Promise<Row[]> {
  const rounds = Math.min(envInt('BENCH_ROUNDS', 3), 5);
  const emulator = await startEmulator({ maxWrites: 1000, maxIdempotencyKeys: 5000 });
  try {
    const client = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
    const ids = Array.from({ length: USERS }, (_, i) => `bench-user-${i}`);
    // The users must exist (an unknown id is refused): created 10,000 at a time, 4 calls at once.
    const chunks = Array.from({ length: USERS / 10_000 }, (_, i) => ids.slice(i * 10_000, (i + 1) * 10_000));
    for (let i = 0; i < chunks.length; i += 4) {
      await Promise.all(chunks.slice(i, i + 4).map((chunk) => client.upsertUsers(chunk.map((id) => ({ id })))));
    }
    // Warm-up: JIT and sockets.
    await client.bulk.revokeUserTokens(ids.slice(0, 10_000), { collect: false, concurrency: 4 });

    const rows: Row[] = [];
    for (const concurrency of [1, 4, 16]) {
      const perRound: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = process.hrtime.bigint();
        const result = await client.bulk.revokeUserTokens(ids, { collect: false, concurrency });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (result.counts.done !== USERS) throw new Error(`round ${r}: ${result.counts.done} done, ${result.counts.failed} failed`);
        perRound.push(USERS / seconds);
      }
      const m = median(perRound);
      rows.push({
        name: `bulk.revokeUserTokens: ${USERS.toLocaleString('en-US')} users, concurrency ${concurrency}${concurrency === 4 ? ' (default)' : ''}`,
        value: Math.round(m),
        unit: 'users/s',
        note: `median of ${rounds} runs (${perRound.map((v) => Math.round(v).toLocaleString('en-US')).join(', ')}); ${(USERS / m).toFixed(2)} s a run`,
      });
    }
    return rows;
  } finally {
    await emulator.close();
  }
}

if (require.main === module) runMain('bulk', run);
