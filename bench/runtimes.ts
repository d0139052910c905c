// Minting and verification in every runtime of the matrix: Node 20 and 22, Bun, Deno,
// workerd (miniflare, no nodejs_compat) and Vercel's edge runtime, each running the BUILT package
// as its bundler resolves it, each figure a ratio to that runtime's own raw HMAC-SHA256 limit
// (bench/runtime-probe.ts). Builds dist/ first. Run: `npx tsx bench/runtimes.ts` (or `npm run
// bench -- --only runtimes`; BENCH_RUNTIMES=node20,bun for some of them).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { RUNTIMES, NODE22, startRuntime } from '../__tests__/runtimes/runners';
import { type Row, runMain } from './lib';
import type { ProbeFigure } from './runtime-probe';

/** The target on Node: minting keeps at least this share of the raw HMAC limit. */
export const NODE_MINT_TARGET = 0.65;

function rounds(): { rounds: number; roundMs: number } {
  return { rounds: Number(process.env['BENCH_ROUNDS'] ?? 5), roundMs: Number(process.env['BENCH_ROUND_MS'] ?? 150) };
}

export async function run(): Promise<Row[]> {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const rows: Row[] = [];
  const secret = 'bench-runtime-secret-0123456789abcdef';
  // BENCH_RUNTIMES=node20,bun: only these.
  const only = process.env['BENCH_RUNTIMES']?.split(',');
  for (const name of RUNTIMES.filter((n) => !only || only.includes(n))) {
    if (name === 'node22' && !existsSync(NODE22)) {
      rows.push({ name: `${name}: skipped`, value: 0, unit: '', note: 'Node 22 is not installed: npm run setup:runtimes' });
      continue;
    }
    const running = await startRuntime(name, { TOKENKIT_API_KEY: 'bench-key', TOKENKIT_API_SECRET: secret, TOKENKIT_BASE_URL: 'http://127.0.0.1:9', VECTOR_SECRET: secret });
    try {
      const { rounds: r, roundMs } = rounds();
      const res = await fetch(`${running.url}/bench?rounds=${r}&roundMs=${roundMs}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${name} /bench answered ${res.status}: ${text}`);
      const { raw, figures } = JSON.parse(text) as { raw: string; figures: ProbeFigure[] };
      for (const f of figures) {
        rows.push({ name: `${name}: ${f.name}`, value: f.opsPerSecond, unit: 'ops/s', ratio: f.ratio, note: f.name.startsWith('raw') ? raw : undefined });
      }
      if (name === 'node20' || name === 'node22') {
        const mint = figures.find((f) => f.name === 'generateUserToken')?.ratio ?? 0;
        rows.push({ name: `target: ${name} generateUserToken / raw`, value: mint, unit: 'x', note: `${mint >= NODE_MINT_TARGET ? 'met' : 'MISSED'}: >= ${NODE_MINT_TARGET}x` });
      }
    } finally {
      await running.close();
    }
  }
  return rows;
}

if (require.main === module) runMain('runtimes: mint and verify per runtime (ratio to its own raw HMAC)', run);
