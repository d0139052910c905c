// The SDK's cost per request against a bare `fetch` of the same request, both against a local
// emulator over real HTTP on 127.0.0.1 (issue 4; target: at most 1.2x). The bare request sends the
// same headers (a server token minted once) and parses the JSON answer; the SDK also validates
// and encodes the input, picks its cached server token, decodes the answer with the zod schema
// (Dates), and logs nothing; each attempt also has a timeout, and so an AbortSignal, which costs
// Node 20's fetch a few percent by itself (a bare fetch has none). The emulator runs in this
// process, so its work is in both figures. Each figure is the median of interleaved rounds. Run:
// `npx tsx bench/request-cost.ts`, or `npm run bench -- --only request-cost`.

import { randomUUID } from 'node:crypto';
import { ServerClient } from '../src/index';
import { startEmulator } from '../src/emulator/index';
import { type Row, measure, runMain } from './lib';

const TARGET = 1.2;

/** Requests/s of the SDK and of a bare fetch, for a read and for a write, and the cost ratio of each. */
export async function run(): Promise<Row[]> {
  const emulator = await startEmulator({ maxWrites: 1000 });
  try {
    const client = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
    await client.upsertUsers([{ id: 'bench-user', name: 'Bench' }]);
    const headers = {
      'Api-Key': emulator.apiKey,
      Authorization: `Bearer ${emulator.serverToken(300)}`,
      'User-Agent': 'bare-fetch',
      Accept: 'application/json',
    };
    const userUrl = `${emulator.url}/v1/users/bench-user`;
    const usersUrl = `${emulator.url}/v1/users`;
    const patchBody = JSON.stringify({ users: [{ id: 'bench-user', set: { score: 1 } }] });

    const read = await measure(
      [
        {
          name: 'GET /v1/users/{id}: bare fetch',
          async: true,
          fn: async () => {
            const res = await fetch(userUrl, { headers });
            if (res.status !== 200) throw new Error(`bare GET answered ${res.status}`);
            return res.json();
          },
        },
        { name: 'GET /v1/users/{id}: client.getUser', async: true, fn: () => client.getUser('bench-user') },
        {
          // For comparison only: what a bare fetch pays for a timeout of its own.
          name: 'GET /v1/users/{id}: bare fetch with a timeout signal',
          async: true,
          fn: async () => {
            const controller = new AbortController();
            const timer = setTimeout(() => controller.abort(), 10_000);
            try {
              const res = await fetch(userUrl, { headers, signal: controller.signal });
              if (res.status !== 200) throw new Error(`bare GET answered ${res.status}`);
              return await res.json();
            } finally {
              clearTimeout(timer);
            }
          },
        },
      ],
      { rounds: 11, roundMs: 250 },
    );
    const write = await measure(
      [
        {
          name: 'PATCH /v1/users: bare fetch',
          async: true,
          fn: async () => {
            const res = await fetch(usersUrl, {
              method: 'PATCH',
              headers: { ...headers, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
              body: patchBody,
            });
            if (res.status !== 200) throw new Error(`bare PATCH answered ${res.status}`);
            return res.json();
          },
        },
        { name: 'PATCH /v1/users: client.updateUsersPartial', async: true, fn: () => client.updateUsersPartial({ users: [{ id: 'bench-user', set: { score: 1 } }] }) },
      ],
      { rounds: 11, roundMs: 250 },
    );

    const rows: Row[] = [];
    for (const [label, pair] of [['GET /v1/users/{id}', read], ['PATCH /v1/users', write]] as const) {
      const [bare, sdk, bareWithTimeout] = pair;
      if (!bare || !sdk) throw new Error('missing a candidate');
      for (const m of pair) {
        rows.push({ name: m.name, value: Math.round(m.median), unit: 'req/s', ratio: m.ratio, note: `±${(m.spread * 100).toFixed(1)}% over ${m.rounds.length} rounds` });
      }
      const cost = bare.median / sdk.median;
      const extraUs = (1e6 / sdk.median - 1e6 / bare.median).toFixed(0);
      rows.push({
        name: `${label}: SDK cost per request / bare fetch`,
        value: Math.round(cost * 1000) / 1000,
        unit: 'x',
        note: `target <= ${TARGET}x: ${cost <= TARGET ? 'met' : 'NOT met'}; ${extraUs} µs more a request`,
      });
      if (bareWithTimeout) {
        rows.push({
          name: `${label}: SDK cost per request / bare fetch with a timeout`,
          value: Math.round((bareWithTimeout.median / sdk.median) * 1000) / 1000,
          unit: 'x',
          note: 'the SDK beyond what any request with a timeout pays',
        });
      }
    }
    return rows;
  } finally {
    await emulator.close();
  }
}

if (require.main === module) runMain('request cost', run);
