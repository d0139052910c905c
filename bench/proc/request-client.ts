// Bench child: the client side of the request-cost bench, in a process of its own and bundled by
// esbuild like every child, so that the SDK runs as it ships (compiled, no TypeScript loader: tsx
// wraps every named closure in a `__name` call, a cost per request the built package does not
// have) and the candidates share one process and one bundle. argv[2]: `{ url, apiKey, apiSecret,
// rounds }`; run with `--expose-gc`. Prints one JSON line: for each route and concurrency, each
// candidate's median req/s, median CPU µs per request, and the median over rounds of its CPU per
// request over the bare fetch's of the same round.
import { randomUUID } from 'node:crypto';
import { ServerClient } from '../../src/index';
import { median } from '../lib';

interface Candidate {
  name: string;
  call: () => Promise<unknown>;
}

export interface Figures {
  reqPerS: number;
  cpuUsPerReq: number;
  pairedCpuRatio: number;
}

/**
 * What the child prints: figures by `${label}, c=${concurrency}`, then by candidate name, in this
 * order: the bare fetch, the same bare fetch again, `undici.request`, the SDK's call.
 */
export type RequestCostResult = Record<string, Record<string, Figures>>;

const collectGarbage = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;

/**
 * Runs `total` calls from `concurrency` loops; returns requests/s and client CPU µs per request.
 * The round ends with a scavenge (a young-generation collection) counted in it: each candidate
 * pays for collecting its own short-lived garbage, instead of it landing in the next candidate's
 * round. Not a full collection: one after every round (as this bench did before) cost more than
 * the requests, since each made V8 drop the optimized code that referred to objects it had just
 * freed ("weak objects" deoptimizations) and compile it again in the next round. A bare fetch
 * measured 362 µs of CPU a request at c=1 that way, against 224 µs without a forced collection.
 */
async function round(c: Candidate, total: number, concurrency: number): Promise<{ reqPerS: number; cpuUsPerReq: number }> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next++ < total) await c.call();
  };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  collectGarbage!({ type: 'minor' });
  const used = process.cpuUsage(cpu);
  return { reqPerS: total / seconds, cpuUsPerReq: (used.user + used.system) / total };
}

/**
 * A Williams design: sequences of the candidates (indexes) in which each candidate follows each
 * other one equally often, in n sequences for an even n, 2n for an odd one (each with its reverse).
 */
export function balancedOrders(n: number): number[][] {
  const first: number[] = [];
  for (let i = 0, lo = 0, hi = n - 1; i < n; i++) first.push(i % 2 === 0 ? lo++ : hi--);
  const sequences = Array.from({ length: n }, (_, shift) => first.map((c) => (c + shift) % n));
  return n % 2 === 0 ? sequences : [...sequences, ...sequences.map((q) => [...q].reverse())];
}

/**
 * Interleaved rounds after a warm-up of each candidate. The rounds go through the sequences of
 * {@link balancedOrders} in turn (`rounds` is rounded up to a whole number of them), so that each
 * candidate follows each other one as often: with the order only rotated, the SDK followed
 * `undici.request` in two rounds of three and the bare fetch followed the SDK, and whatever a
 * candidate leaves behind, the next one pays for.
 */
async function measure(candidates: readonly Candidate[], concurrency: number, rounds: number, total: number): Promise<Record<string, Figures>> {
  // Warm-up: sockets, and the JIT (V8 optimizes a function after a number of calls that grows with
  // its size: the SDK's, larger than a bare fetch's few lines, need more), twice over, interleaved.
  // No full collection before the rounds: it would make V8 drop optimized code (see round).
  for (let w = 0; w < 2; w++) for (const c of candidates) await round(c, total, concurrency);
  const per = new Map<string, Array<{ reqPerS: number; cpuUsPerReq: number }>>(candidates.map((c) => [c.name, []]));
  const sequences = balancedOrders(candidates.length);
  const whole = Math.ceil(rounds / sequences.length) * sequences.length;
  for (let r = 0; r < whole; r++) {
    for (const i of sequences[r % sequences.length]!) {
      const c = candidates[i]!;
      per.get(c.name)!.push(await round(c, total, concurrency));
    }
  }
  const bare = per.get(candidates[0]!.name)!;
  const out: Record<string, Figures> = {};
  for (const [name, list] of per) {
    out[name] = {
      reqPerS: median(list.map((f) => f.reqPerS)),
      cpuUsPerReq: median(list.map((f) => f.cpuUsPerReq)),
      pairedCpuRatio: median(list.map((f, r) => f.cpuUsPerReq / bare[r]!.cpuUsPerReq)),
    };
  }
  return out;
}

async function main(): Promise<void> {
  if (collectGarbage === undefined) throw new Error('run with --expose-gc');
  const o = JSON.parse(process.argv[2] ?? '{}') as { url: string; apiKey: string; apiSecret: string; rounds: number };
  const { url, apiKey, apiSecret } = o;
  const client = new ServerClient({ apiKey, apiSecret, baseUrl: url });
  await client.upsertUsers([{ id: 'bench-user', name: 'Bench' }]);
  // undici's package is loaded only now, after Node's fetch has set its own global dispatcher: a
  // package loaded before that installs its own Agent as the global one, and every fetch of the
  // process (the bare ones, the SDK's) would then go through the package's Agent, not Node's own.
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
  // The same headers the SDK sends, with a server token minted by the SDK's own client. A server
  // token lives 300 s, less than a long run (36 rounds on a loaded machine): a new one is taken
  // before each route and concurrency is measured, by a new client (a client reuses its token).
  const headers = { 'Api-Key': apiKey, Authorization: '', 'User-Agent': 'bare', Accept: 'application/json' };
  const freshToken = async (): Promise<void> => {
    const probe = new ServerClient({
      apiKey,
      apiSecret,
      baseUrl: url,
      fetch: async (input, init) => {
        headers.Authorization = String((init?.headers as Record<string, string>)['Authorization']);
        return fetch(input, init as RequestInit);
      },
    });
    await probe.getUser('bench-user');
  };
  await freshToken();
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
          // The same code again, a candidate of its own: its ratio to the first is what two
          // identical candidates differ by in this run, the yardstick for the SDK's.
          name: 'bare fetch, again',
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
          name: 'bare fetch, again',
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

  // A warm-up of every route before any is measured: the routes share the SDK's code (the
  // transport, the headers, the decoders), which V8 optimizes for the shapes it has seen. Warmed
  // one route at a time, the first route measured (GET at c=1) ran while code the others use was
  // still being optimized: GET at c=1, measured first, came out at 1.23x in a run where GET at c=32,
  // measured third, was 0.99x.
  for (const concurrency of [1, 32]) for (const { candidates } of routes) for (const c of candidates) await round(c, 2000, concurrency);
  const result: RequestCostResult = {};
  for (const concurrency of [1, 32]) {
    for (const { label, candidates } of routes) {
      await freshToken();
      result[`${label}, c=${concurrency}`] = await measure(candidates, concurrency, o.rounds, concurrency === 1 ? 1000 : 2000);
    }
  }
  await agent.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
