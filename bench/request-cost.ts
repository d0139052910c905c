// The SDK's cost per request against the same request made bare, with the emulator in another
// process (so that none of its work is in the client's figures), at concurrency 1 and 32:
// requests/s, and the client's CPU per request (process.cpuUsage over the requests of a round).
// Candidates: a bare `fetch` (the default transport's floor: same headers, a server token minted
// once, the JSON parsed), the same bare `fetch` again (what two identical candidates differ by:
// the yardstick for the SDK's ratio), `undici.request` (the floor of Node's HTTP client without fetch's web
// streams), and the SDK's call. Rounds interleaved, medians. Target: SDK CPU per
// request at most 1.1x a bare fetch's. The client side runs in a child of its own
// (bench/proc/request-client.ts), bundled, so that the SDK is measured as it ships. Run:
// `npx tsx bench/request-cost.ts`.

import { startChild, verdict } from './children';
import { type Row, runMain } from './lib';
import type { RequestCostResult } from './proc/request-client';

const TARGET = 1.1;

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Rows per route and concurrency: req/s and CPU µs per request of each candidate, then the target. */
export async function run(): Promise<Row[]> {
  const rounds = Math.min(envInt('BENCH_ROUNDS', 20), 40);
  const emulator = startChild('emulator', [JSON.stringify({ maxWrites: 1000 })]);
  try {
    const { url, apiKey, apiSecret } = await emulator.next<{ url: string; apiKey: string; apiSecret: string }>();
    const clientSide = startChild('request-client', [JSON.stringify({ url, apiKey, apiSecret, rounds })], { nodeArgs: ['--expose-gc'] });
    const result = await clientSide.next<RequestCostResult>();
    await clientSide.exited(10_000).catch(() => clientSide.kill());
    const rows: Row[] = [];
    for (const [label, figures] of Object.entries(result)) {
      // In the child's order: the bare fetch, the same again, undici.request, the SDK.
      const [bareName, againName, , sdkName] = Object.keys(figures);
      const bare = figures[bareName!]!;
      const again = figures[againName!]!;
      for (const [name, f] of Object.entries(figures)) {
        rows.push({
          name: `${label}: ${name}`,
          value: Math.round(f.reqPerS),
          unit: 'req/s',
          ratio: f.reqPerS / bare.reqPerS,
          note: `client CPU ${f.cpuUsPerReq.toFixed(1)} µs/req (${f.pairedCpuRatio.toFixed(3)}x bare fetch, paired; ${(f.cpuUsPerReq / bare.cpuUsPerReq).toFixed(3)}x as the ratio of the medians)`,
        });
      }
      const sdk = figures[sdkName!]!;
      const ratio = sdk.pairedCpuRatio;
      rows.push({
        name: `target: ${label}: SDK CPU per request / bare fetch`,
        value: Math.round(ratio * 1000) / 1000,
        unit: 'x',
        note: verdict(
          ratio <= TARGET,
          `<= ${TARGET}x; ${(sdk.cpuUsPerReq - bare.cpuUsPerReq).toFixed(1)} µs more a request; the same bare fetch again: ${again.pairedCpuRatio.toFixed(3)}x`,
        ),
      });
    }
    return rows;
  } finally {
    emulator.proc.stdin!.end();
    await emulator.exited(10_000).catch(() => emulator.kill());
  }
}

if (require.main === module) runMain('request cost', run);
