// `npm run bench`: runs every bench module listed below in turn, prints each table, and with
// `--json FILE` writes all the rows to FILE. Options: `--only NAME[,NAME]`, `--rounds N`,
// `--round-ms N` (also BENCH_ROUNDS / BENCH_ROUND_MS). Modules not written yet are skipped.

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchModule, type Row, machine, printTable } from './lib';

/** Each module: `bench/<file>.ts`, exporting `run(): Promise<Row[]>`. */
const MODULES: ReadonlyArray<{ file: string; title: string }> = [
  { file: 'mint', title: 'mint and verify: tokens/s (ratio to the raw node:crypto limit)' },
  { file: 'emulator', title: 'emulator' },
  { file: 'bulk', title: 'bulk' },
  { file: 'request-cost', title: 'request cost' },
  { file: 'keyring', title: 'keyring: tokens/s (ratio to a plain secret)' },
  { file: 'unknown-ids', title: 'unknown ids: a 10% unknown file against a clean one (ratio)' },
  { file: 'runtimes', title: 'runtimes: mint and verify per runtime (ratio to its own raw HMAC)' },
];

interface Args {
  json?: string;
  only?: Set<string>;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined || value.startsWith('--')) throw new Error(`${String(flag)} needs a value`);
      i++;
      return value;
    };
    if (flag === '--json') args.json = need();
    else if (flag === '--only') args.only = new Set(need().split(','));
    else if (flag === '--rounds') process.env['BENCH_ROUNDS'] = need();
    else if (flag === '--round-ms') process.env['BENCH_ROUND_MS'] = need();
    else throw new Error(`unknown flag ${String(flag)} (valid: --json FILE, --only NAME[,NAME], --rounds N, --round-ms N)`);
  }
  return args;
}

function isBenchModule(m: unknown): m is BenchModule {
  return typeof m === 'object' && m !== null && typeof (m as { run?: unknown }).run === 'function';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  console.log(`# tokenkit benchmarks (${machine()})`);
  const results: Record<string, Row[]> = {};
  for (const { file, title } of MODULES) {
    if (args.only && !args.only.has(file)) continue;
    const source = path.join(__dirname, `${file}.ts`);
    if (!existsSync(source)) {
      console.log(`\n(skipped bench/${file}.ts: not written yet)`);
      continue;
    }
    const mod: unknown = await import(pathToFileURL(source).href);
    if (!isBenchModule(mod)) throw new Error(`bench/${file}.ts does not export run(): Promise<Row[]>`);
    const t0 = Date.now();
    const rows = await mod.run();
    printTable(`${title} (${((Date.now() - t0) / 1000).toFixed(1)} s)`, rows);
    results[file] = rows;
  }
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (args.json) {
    const out = { date: new Date().toISOString(), machine: machine(), results };
    writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${args.json}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
