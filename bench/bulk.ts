// Bulk revocation at 10k, 100k and 1M ids, and the emulator holding 1M users. The
// emulator runs in a process of its own (defaults, as users get it); the users are created through
// the API, then each revoked once (not measured). Each library run is a child process of its own,
// so its peak RSS is its alone: the ids streamed from an async generator, `collect: false`; 100k
// and 1M ids three times each (BENCH_BULK_REPEATS), beside the same requests made with bare fetch
// (the floor), the medians compared. Then the CLI (`tokenkit revoke --users-file`,
// with its report) and the library on the same 100k ids, CPU per id of the whole process,
// start-up included for both. Last, the emulator's RSS with every user revoked. Run:
// `npx tsx bench/bulk.ts` (BENCH_BULK_MAX=100000 for a quick run).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerClient } from '../src/index';
import { MB, type Usage, startChild, verdict } from './children';
import { median, type Row, runMain } from './lib';

const RSS_TARGET = 1.3;
/** Library and CLI runs compared, one pair after another (odd: the median is a pair's). */
const CLI_PAIRS = 5;
const EMULATOR_RSS_TARGET = 1024 * MB;

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

interface BulkFigures extends Usage {
  done: number;
  failed: number;
  skipped: number;
  seconds: number;
}

interface Credentials {
  url: string;
  apiKey: string;
  apiSecret: string;
}

/** A library bulk run of `n` ids (bench/proc/bulk.ts), or with `name` 'bulk-fetch', its bare-fetch floor. */
async function libraryRun(emu: Credentials, n: number, dedupe?: boolean, name: 'bulk' | 'bulk-fetch' = 'bulk'): Promise<BulkFigures & { total: Usage }> {
  const child = startChild(name, [JSON.stringify({ ...emu, n, dedupe })], { nodeArgs: ['--require', path.join(__dirname, '..', '.tmp', 'bench', 'usage-preload.js')] });
  const figures = await child.next<BulkFigures>();
  await child.exited();
  const total = child.usage();
  if (!total) throw new Error('the bulk child reported no usage');
  if (figures.done !== n) throw new Error(`bulk run of ${n}: ${figures.done} done, ${figures.failed} failed, ${figures.skipped} skipped`);
  return { ...figures, total };
}

/** The bare-fetch floor of a library bulk run (bench/proc/bulk-fetch.ts): the same requests, `n` ids. */
function floorRun(emu: Credentials, n: number): ReturnType<typeof libraryRun> {
  return libraryRun(emu, n, undefined, 'bulk-fetch');
}

async function cliRun(emu: Credentials, n: number): Promise<Usage & { seconds: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokenkit-bench-'));
  try {
    const ids = path.join(dir, 'ids.txt');
    writeFileSync(ids, Array.from({ length: n }, (_, i) => `bench-user-${i}`).join('\n') + '\n');
    const started = process.hrtime.bigint();
    const child = startChild('cli', ['revoke', '--users-file', ids, '--report', path.join(dir, 'report.jsonl')], {
      nodeArgs: ['--require', path.join(__dirname, '..', '.tmp', 'bench', 'usage-preload.js')],
      env: { TOKENKIT_BASE_URL: emu.url, TOKENKIT_API_KEY: emu.apiKey, TOKENKIT_API_SECRET: emu.apiSecret },
    });
    child.proc.stdin!.end();
    const code = await child.exited();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`tokenkit revoke exited with ${code}`);
    const usage = child.usage();
    if (!usage) throw new Error('the CLI reported no usage');
    return { ...usage, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Row[]> {
  const max = envInt('BENCH_BULK_MAX', 1_000_000);
  const sizes = [10_000, 100_000, 1_000_000].filter((n) => n <= max);
  if (!sizes.includes(max)) sizes.push(max);
  const emulator = startChild('emulator', [JSON.stringify({})], { nodeArgs: ['--expose-gc'] });
  try {
    const emu = await emulator.next<Credentials>();
    const client = new ServerClient({ apiKey: emu.apiKey, apiSecret: emu.apiSecret, baseUrl: emu.url, timeoutMs: 120_000 });
    // The users must exist (an unknown id is refused): created 10,000 per call (100 a request), 4 calls at once.
    const createStarted = Date.now();
    for (let start = 0; start < max; start += 40_000) {
      const calls = [];
      for (let c = start; c < Math.min(start + 40_000, max); c += 10_000) {
        calls.push(client.upsertUsers(Array.from({ length: Math.min(10_000, max - c) }, (_, i) => ({ id: `bench-user-${c + i}` }))));
      }
      await Promise.all(calls);
    }
    const createSeconds = (Date.now() - createStarted) / 1000;
    emulator.send({ cmd: 'usage' });
    const created = await emulator.next<Usage & { heapUsed: number }>();

    // Every user is revoked once before any run is measured (a bare-fetch child, not measured):
    // the emulator's first revocation of a user costs it more than the next ones, and the runs
    // that came first (the library's) met a slower server than the ones after (the floor's).
    await floorRun(emu, max);

    // Each size REPEATS times, the library's and the floor's runs interleaved (drift on a shared
    // machine reaches them alike); the row is the median peak. One run's peak is the heap's limit
    // at the collection that happened to find the most floating garbage: at 100k ids, the peak of
    // three runs in one bench ranged over 10 MB.
    const repeats = envInt('BENCH_BULK_REPEATS', 3);
    const top = Math.max(...sizes);
    const runs = new Map<string, Array<BulkFigures & { total: Usage }>>();
    const keep = (key: string, f: BulkFigures & { total: Usage }): void => void runs.set(key, [...(runs.get(key) ?? []), f]);
    for (let r = 0; r < repeats; r++) {
      for (const n of sizes) if (r === 0 || n >= 100_000) keep(`lib ${n}`, await libraryRun(emu, n));
      if (sizes.includes(100_000) && top !== 100_000) {
        keep('fetch 100000', await floorRun(emu, 100_000));
        keep(`fetch ${top}`, await floorRun(emu, top));
      }
    }
    const peak = (key: string): number => median(runs.get(key)!.map((f) => f.maxRss));
    const peaks = (key: string): string => runs.get(key)!.map((f) => Math.round(f.maxRss / MB)).join(', ');
    const perId = (list: Array<BulkFigures & { total: Usage }>): string => {
      const f = list.find((x) => x.maxRss === median(list.map((y) => y.maxRss))) ?? list[0]!;
      return `${Math.round(f.done / f.seconds).toLocaleString('en-US')} ids/s; ${(f.cpuUs / f.done).toFixed(1)} µs CPU/id`;
    };
    const rows: Row[] = [];
    for (const n of sizes) {
      const list = runs.get(`lib ${n}`)!;
      rows.push({
        name: `library bulk.revokeUserTokens: ${n.toLocaleString('en-US')} ids, streamed, collect: false${list.length > 1 ? ` (median of ${list.length})` : ''}`,
        value: Math.round(peak(`lib ${n}`) / MB),
        unit: 'MB peak RSS',
        note: `${list.length > 1 ? `runs: ${peaks(`lib ${n}`)} MB; ` : ''}${perId(list)}`,
      });
    }
    if (sizes.includes(100_000) && top !== 100_000) {
      const ratio = peak(`lib ${top}`) / peak('lib 100000');
      // The same run without dedupe: what the set of distinct ids costs at the largest size.
      const plain = await libraryRun(emu, top, false);
      rows.push({
        name: `library bulk.revokeUserTokens: ${top.toLocaleString('en-US')} ids, streamed, collect: false, dedupe: false`,
        value: Math.round(plain.maxRss / MB),
        unit: 'MB peak RSS',
        note: `${perId([plain])}; dedupe costs ${Math.round((peak(`lib ${top}`) - plain.maxRss) / MB)} MB here (one run: the median with dedupe less this one)`,
      });
      // The floor: the same requests made with bare fetch (bench/proc/bulk-fetch.ts), at both sizes.
      for (const n of [100_000, top]) {
        rows.push({
          name: `bare fetch, the same PATCH requests: ${n.toLocaleString('en-US')} ids, streamed (median of ${repeats})`,
          value: Math.round(peak(`fetch ${n}`) / MB),
          unit: 'MB peak RSS',
          note: `runs: ${peaks(`fetch ${n}`)} MB; ${perId(runs.get(`fetch ${n}`)!)}`,
        });
      }
      const fetchRatio = peak(`fetch ${top}`) / peak('fetch 100000');
      rows.push({
        name: `target: peak RSS at ${top.toLocaleString('en-US')} ids / 100,000`,
        value: Math.round(ratio * 1000) / 1000,
        unit: 'x',
        note: verdict(
          ratio <= RSS_TARGET,
          `<= ${RSS_TARGET}x (medians; dedupe on, the default: every distinct id kept, compactly; without it ${(plain.maxRss / peak('lib 100000')).toFixed(3)}x; bare fetch alone ${fetchRatio.toFixed(3)}x)`,
        ),
      });
    }
    // The CLI against the library on the same ids, in pairs run one after the other (library, CLI;
    // the order alternating from pair to pair), CPU per id of each whole process, start-up included:
    // the median of the pairs' ratios. One run of each swung from 0.95x to 1.14x on a loaded
    // machine; the pairs' ratio moves much less.
    const cliN = Math.min(100_000, max);
    const pairs: Array<{ lib: number; cli: number; cliSeconds: number; libSeconds: number; cliRss: number }> = [];
    for (let p = 0; p < CLI_PAIRS; p++) {
      let lib: BulkFigures & { total: Usage } | undefined;
      let cli: (Usage & { seconds: number }) | undefined;
      if (p % 2 === 0) {
        lib = await libraryRun(emu, cliN);
        cli = await cliRun(emu, cliN);
      } else {
        cli = await cliRun(emu, cliN);
        lib = await libraryRun(emu, cliN);
      }
      pairs.push({ lib: lib.total.cpuUs / cliN, cli: cli.cpuUs / cliN, libSeconds: lib.seconds, cliSeconds: cli.seconds, cliRss: cli.maxRss });
    }
    const libPerId = median(pairs.map((x) => x.lib));
    const cliPerId = median(pairs.map((x) => x.cli));
    const pairedRatio = median(pairs.map((x) => x.cli / x.lib));
    rows.push({
      name: `library: ${cliN.toLocaleString('en-US')} ids, whole process (median of ${CLI_PAIRS})`,
      value: Math.round(libPerId * 10) / 10,
      unit: 'µs CPU/id',
      note: `${median(pairs.map((x) => x.libSeconds)).toFixed(1)} s`,
    });
    rows.push({
      name: `CLI tokenkit revoke --users-file --report: ${cliN.toLocaleString('en-US')} ids, whole process (median of ${CLI_PAIRS})`,
      value: Math.round(cliPerId * 10) / 10,
      unit: 'µs CPU/id',
      ratio: cliPerId / libPerId,
      note: `${median(pairs.map((x) => x.cliSeconds)).toFixed(1)} s; peak RSS ${Math.round(median(pairs.map((x) => x.cliRss)) / MB)} MB`,
    });
    rows.push({
      name: 'target: CLI CPU per id / library',
      value: Math.round(pairedRatio * 1000) / 1000,
      unit: 'x',
      note: verdict(pairedRatio <= 1, `<= 1x (median of ${CLI_PAIRS} pairs' ratios: ${pairs.map((x) => (x.cli / x.lib).toFixed(3)).join(', ')})`),
    });

    emulator.send({ cmd: 'usage' });
    const after = await emulator.next<
      Usage & { heapUsed: number; heapTotal: number; external: number; stats: { users: number; idempotencyKeys: number; idempotencyBytes: number } }
    >();
    rows.push({
      name: `emulator: ${max.toLocaleString('en-US')} users created`,
      value: Math.round(created.rss / MB),
      unit: 'MB RSS',
      note: `heap ${Math.round(created.heapUsed / MB)} MB; created in ${createSeconds.toFixed(0)} s`,
    });
    rows.push({
      name: `emulator: ${max.toLocaleString('en-US')} users, each revoked (several times)`,
      value: Math.round(after.maxRss / MB),
      unit: 'MB peak RSS',
      note:
        `${verdict(after.maxRss < EMULATOR_RSS_TARGET, '< 1 GB')}; now ${Math.round(after.rss / MB)} MB, heap ${Math.round(after.heapUsed / MB)} MB ` +
        `(of ${Math.round(after.heapTotal / MB)} MB V8 keeps), ${Math.round(after.external / MB)} MB off the heap; ` +
        `${after.stats.idempotencyKeys} answers kept for replay (${Math.round(after.stats.idempotencyBytes / MB)} MB)`,
    });
    return rows;
  } finally {
    emulator.proc.stdin!.end();
    await emulator.exited(20_000).catch(() => emulator.kill());
  }
}

if (require.main === module) runMain('bulk', run);
