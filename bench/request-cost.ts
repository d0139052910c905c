// The SDK's cost per request against the same request made bare, with the emulator in another
// process (so that none of its work is in the client's figures), at concurrency 1 and 32:
// requests/s, and the client's CPU per request (process.cpuUsage over the requests of a round).
// Candidates: a bare `fetch` (the default transport's floor: same headers, a server token minted
// once, the JSON parsed), `undici.request` (the floor of Node's HTTP client without fetch's web
// streams), and the SDK's call. Rounds interleaved, medians. Target: SDK CPU per
// request at most 1.1x a bare fetch's. Run: `npx tsx bench/request-cost.ts`.

import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import { ServerClient } from '../src/index';
import { startChild, verdict } from './children';
import { type Row, median, runMain } from './lib';

const TARGET = 1.1;

interface Candidate {
  name: string;
  call: () => Promise<unknown>;
}

interface Figures {
  reqPerS: number;
  cpuUsPerReq: number;
}

/**
 * A full garbage collection, run at the end of every round and counted in it: each candidate pays
 * for its own garbage, instead of a collection of one candidate's garbage landing in the next
 * candidate's round (which made the CPU ratios swing by tens of percent between runs).
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Runs `total` calls from `concurrency` loops; returns requests/s and client CPU µs per request. */
async function round(c: Candidate, total: number, concurrency: number): Promise<Figures> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next++ < total) await c.call();
  };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  collectGarbage();
  const used = process.cpuUsage(cpu);
  return { reqPerS: total / seconds, cpuUsPerReq: (used.user + used.system) / total };
}

/** Each candidate's median figures, and the median over rounds of each one's CPU per request over the bare fetch's of the same round. */
async function measure(candidates: readonly Candidate[], concurrency: number, rounds: number, total: number): Promise<Map<string, Figures & { pairedCpuRatio: number }>> {
  for (const c of candidates) await round(c, Math.min(total, 500), concurrency); // warm-up: JIT, sockets
  collectGarbage();
  const per = new Map<string, Figures[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length]!;
      per.get(c.name)!.push(await round(c, total, concurrency));
    }
  }
  const bare = per.get(candidates[0]!.name)!;
  return new Map(
    [...per].map(([name, list]) => [
      name,
      {
        reqPerS: median(list.map((f) => f.reqPerS)),
        cpuUsPerReq: median(list.map((f) => f.cpuUsPerReq)),
        pairedCpuRatio: median(list.map((f, r) => f.cpuUsPerReq / bare[r]!.cpuUsPerReq)),
      },
    ]),
  );
}

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Rows per route and concurrency: req/s and CPU µs per request of each candidate, then the target. */
export async function run(): Promise<Row[]> {
  const rounds = Math.min(envInt('BENCH_ROUNDS', 9), 15);
  const emulator = startChild('emulator', [JSON.stringify({ maxWrites: 1000 })]);
  const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
  try {
    const { url, apiKey, apiSecret } = await emulator.next<{ url: string; apiKey: string; apiSecret: string }>();
    const client = new ServerClient({ apiKey, apiSecret, baseUrl: url });
    await client.upsertUsers([{ id: 'bench-user', name: 'Bench' }]);
    // The same headers the SDK sends, with a server token minted once by the SDK's own client.
    let serverToken = '';
    await client.getUser('bench-user'); // warms the client's token
    {
      const probe = new ServerClient({
        apiKey,
        apiSecret,
        baseUrl: url,
        fetch: async (input, init) => {
          serverToken = String((init?.headers as Record<string, string>)['Authorization']).slice('Bearer '.length);
          return fetch(input, init as RequestInit);
        },
      });
      await probe.getUser('bench-user');
    }
    const headers = { 'Api-Key': apiKey, Authorization: `Bearer ${serverToken}`, 'User-Agent': 'bare', Accept: 'application/json' };
    const writeHeaders = (): Record<string, string> => ({ ...headers, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() });
    const userUrl = `${url}/v1/users/bench-user`;
    const usersUrl = `${url}/v1/users`;
    const patch = { users: [{ id: 'bench-user', set: { score: 1 } }] };
    const patchBody = JSON.stringify(patch);
    const ok = (status: number, what: string): void => {
      if (status !== 200) throw new Error(`${what} answered ${status}`);
    };

    const routes: Array<{ label: string; candidates: Candidate[] }> = [
      {
        label: 'GET /v1/users/{id}',
        candidates: [
          {
            name: 'bare fetch',
            call: async () => {
              const res = await fetch(userUrl, { headers });
              ok(res.status, 'bare GET');
              return res.json();
            },
          },
          {
            name: 'undici.request',
            call: async () => {
              const res = await request(userUrl, { headers, dispatcher: agent });
              ok(res.statusCode, 'undici GET');
              return res.body.json();
            },
          },
          { name: 'client.getUser', call: () => client.getUser('bench-user') },
        ],
      },
      {
        label: 'PATCH /v1/users',
        candidates: [
          {
            name: 'bare fetch',
            call: async () => {
              const res = await fetch(usersUrl, { method: 'PATCH', headers: writeHeaders(), body: patchBody });
              ok(res.status, 'bare PATCH');
              return res.json();
            },
          },
          {
            name: 'undici.request',
            call: async () => {
              const res = await request(usersUrl, { method: 'PATCH', headers: writeHeaders(), body: patchBody, dispatcher: agent });
              ok(res.statusCode, 'undici PATCH');
              return res.body.json();
            },
          },
          { name: 'client.updateUsersPartial', call: () => client.updateUsersPartial(patch) },
        ],
      },
    ];

    const rows: Row[] = [];
    for (const concurrency of [1, 32]) {
      for (const { label, candidates } of routes) {
        const figures = await measure(candidates, concurrency, rounds, concurrency === 1 ? 1000 : 2000);
        const bare = figures.get('bare fetch')!;
        for (const c of candidates) {
          const f = figures.get(c.name)!;
          rows.push({
            name: `${label}, c=${concurrency}: ${c.name}`,
            value: Math.round(f.reqPerS),
            unit: 'req/s',
            ratio: f.reqPerS / bare.reqPerS,
            note: `client CPU ${f.cpuUsPerReq.toFixed(1)} µs/req (${f.pairedCpuRatio.toFixed(3)}x bare fetch)`,
          });
        }
        const sdk = figures.get(candidates[2]!.name)!;
        const ratio = sdk.pairedCpuRatio;
        rows.push({
          name: `target: ${label}, c=${concurrency}: SDK CPU per request / bare fetch`,
          value: Math.round(ratio * 1000) / 1000,
          unit: 'x',
          note: verdict(ratio <= TARGET, `<= ${TARGET}x; ${(sdk.cpuUsPerReq - bare.cpuUsPerReq).toFixed(1)} µs more a request`),
        });
      }
    }
    return rows;
  } finally {
    await agent.close();
    emulator.proc.stdin!.end();
    await emulator.exited(10_000).catch(() => emulator.kill());
  }
}

if (require.main === module) runMain('request cost', run);
