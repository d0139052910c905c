// Unknown ids in a batch run: a file in which every 10th id names no user, against a
// clean file of the same size, both against a local emulator over real HTTP on 127.0.0.1. The
// platform names the unknown ids in its refusal, so each batch with some costs one more request
// (no splitting); the target is at most about 1.5x the clean time. Two rows: the SDK's
// `client.bulk.revokeUserTokens` (in process) and the CLI's `tokenkit revoke` (a subprocess; its
// own "in N s", so node's start-up is not counted). Rounds interleave clean and mixed files. Run:
// `npx tsx bench/unknown-ids.ts`, or `npm run bench -- --only unknown-ids`.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerClient } from '../src/index';
import { startEmulator } from '../src/emulator/index';
import { type Row, median, runMain } from './lib';

const IDS = 20_000;

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Runs `tokenkit revoke` over a file; answers the seconds the run reports for itself. */
function cliRun(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'revoke', '--users-file', file, '--quiet', '--missing', 'skip'], {
      cwd: path.join(__dirname, '..'),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /in ([\d.]+) s/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`tokenkit revoke exited ${String(code)}: ${stderr}`));
      else resolve(Number(m[1]));
    });
  });
}

export async function run(): Promise<Row[]> {
  const rounds = Math.min(envInt('BENCH_ROUNDS', 3), 5);
  const emulator = await startEmulator({ maxWrites: 1000, maxIdempotencyKeys: 10_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'tokenkit-bench-'));
  try {
    const client = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
    const clean = Array.from({ length: IDS }, (_, i) => `bench-${i}`);
    const mixed = clean.map((id, i) => (i % 10 === 9 ? `ghost-${i}` : id));
    for (let i = 0; i < IDS; i += 10_000) await client.upsertUsers(clean.slice(i, i + 10_000).map((id) => ({ id })));
    const cleanFile = path.join(dir, 'clean.txt');
    const mixedFile = path.join(dir, 'mixed.txt');
    writeFileSync(cleanFile, clean.join('\n') + '\n');
    writeFileSync(mixedFile, mixed.join('\n') + '\n');

    const sdk = async (ids: string[]): Promise<number> => {
      const started = process.hrtime.bigint();
      const result = await client.bulk.revokeUserTokens(ids, { collect: false, concurrency: 8, missing: 'skip' });
      if (result.counts.done + result.counts.skipped !== ids.length) throw new Error(`${result.counts.failed} failed`);
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    await sdk(clean.slice(0, 5_000)); // warm-up: JIT and sockets
    const env: NodeJS.ProcessEnv = { ...process.env, TOKENKIT_BASE_URL: emulator.url, TOKENKIT_API_KEY: emulator.apiKey, TOKENKIT_API_SECRET: emulator.apiSecret };
    const times = { sdkClean: [] as number[], sdkMixed: [] as number[], cliClean: [] as number[], cliMixed: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      times.sdkClean.push(await sdk(clean));
      times.sdkMixed.push(await sdk(mixed));
      times.cliClean.push(await cliRun(cleanFile, env));
      times.cliMixed.push(await cliRun(mixedFile, env));
    }
    const row = (name: string, base: number[], t: number[]): Row => {
      const m = median(t);
      const b = median(base);
      return {
        name,
        value: Number(m.toFixed(2)),
        unit: 's',
        ratio: m / b,
        note: `clean file ${b.toFixed(2)} s; rounds ${t.map((v) => v.toFixed(2)).join(', ')} (target: at most about 1.5x)`,
      };
    };
    const n = IDS.toLocaleString('en-US');
    return [
      row(`bulk.revokeUserTokens: ${n} ids, 10% unknown (missing: skip), concurrency 8`, times.sdkClean, times.sdkMixed),
      row(`tokenkit revoke --users-file: ${n} ids, 10% unknown (--missing skip)`, times.cliClean, times.cliMixed),
    ];
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runMain('unknown-ids', run);
