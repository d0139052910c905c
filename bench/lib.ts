import os from 'node:os';

// A small, dependency-free benchmark harness. Built for a shared 2-core machine:
// candidates are interleaved round by round, so that a burst of load from a neighbour hits all of
// them alike, and the figure kept is the median round, not the best one.

/** One line of a bench result: every bench module's `run()` returns these. */
export interface Row {
  /** What was measured. */
  name: string;
  /** The figure (e.g. median ops/s). */
  value: number;
  /** The unit of `value`: `ops/s`, `ms`, `x`, ... */
  unit: string;
  /** `value` divided by the baseline measured in the same run, where there is one. */
  ratio?: number | undefined;
  /** Free text shown after the figure: spread of the rounds, a target, ... */
  note?: string | undefined;
}

/** What a bench module exports. */
export interface BenchModule {
  run(): Promise<Row[]>;
}

/** A function to measure. Its result is kept (so the work cannot be optimised away), never checked. */
export interface Candidate {
  name: string;
  fn: () => unknown;
  /** Await each call's result (for functions returning a promise). */
  async?: boolean;
}

/** How long and how often to measure. Defaults come from `BENCH_ROUNDS` / `BENCH_ROUND_MS`. */
export interface MeasureOptions {
  /** Timed rounds per candidate (default 7, odd so the median is a real round). */
  rounds?: number;
  /** Milliseconds per candidate per round (default 250). */
  roundMs?: number;
  /** Milliseconds of warm-up per candidate before the first round (default 300). */
  warmupMs?: number;
  /** The candidate whose ops/s the ratios divide by (default: the first). */
  baseline?: string;
}

/** The measured figures of one candidate. */
export interface Measured {
  name: string;
  /** Median ops/s over the rounds. */
  median: number;
  /** Ops/s of every round, in round order. */
  rounds: number[];
  /** Half the spread between the slowest and fastest round, relative to the median. */
  spread: number;
  /** `median` divided by the baseline's median. */
  ratio: number;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Results are folded into this so the JIT cannot drop a call whose result is unused.
let sink = 0;
function keep(value: unknown): void {
  sink = (sink + (typeof value === 'string' ? value.length : value ? 1 : 0)) | 0;
}

/** Keeps `sink` observable; returns it so a caller could print it (never needed). */
export function sinkValue(): number {
  return sink;
}

const nowNs = (): bigint => process.hrtime.bigint();

/** Runs `n` calls; returns elapsed nanoseconds. */
async function batch(c: Candidate, n: number): Promise<number> {
  const { fn } = c;
  const start = nowNs();
  if (c.async) {
    for (let i = 0; i < n; i++) keep(await fn());
  } else {
    for (let i = 0; i < n; i++) keep(fn());
  }
  return Number(nowNs() - start);
}

/** Calls for about `ms` milliseconds in batches of `size`; returns ops/s. */
async function timed(c: Candidate, size: number, ms: number): Promise<number> {
  const budget = ms * 1e6;
  let ops = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    elapsed += await batch(c, size);
    ops += size;
  }
  return (ops * 1e9) / elapsed;
}

/**
 * Measures every candidate as ops/s: a warm-up (which also picks a batch size of about 1 ms, so the
 * clock is read rarely), then `rounds` rounds in which each candidate runs for `roundMs`, in an
 * order rotated every round. Each figure is the median of its rounds.
 */
export async function measure(candidates: readonly Candidate[], options: MeasureOptions = {}): Promise<Measured[]> {
  const rounds = options.rounds ?? envInt('BENCH_ROUNDS', 7);
  const roundMs = options.roundMs ?? envInt('BENCH_ROUND_MS', 250);
  const warmupMs = options.warmupMs ?? Math.min(300, roundMs * 2);
  const baseline = options.baseline ?? candidates[0]?.name;
  if (!candidates.some((c) => c.name === baseline)) throw new Error(`baseline ${String(baseline)} is not a candidate`);

  const sizes = new Map<string, number>();
  for (const c of candidates) {
    let size = 1;
    const until = Date.now() + warmupMs;
    // Grow the batch until one takes about a millisecond; keep running until the warm-up ends.
    while (Date.now() < until) {
      const ns = await batch(c, size);
      if (ns < 1e6 && size < 1 << 20) size *= 2;
    }
    sizes.set(c.name, size);
  }

  const perRound = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length]!;
      perRound.get(c.name)!.push(await timed(c, sizes.get(c.name)!, roundMs));
    }
  }

  const medians = new Map([...perRound].map(([name, list]) => [name, median(list)]));
  const base = medians.get(baseline!)!;
  return candidates.map((c) => {
    const list = perRound.get(c.name)!;
    const m = medians.get(c.name)!;
    return { name: c.name, median: m, rounds: list, spread: (Math.max(...list) - Math.min(...list)) / 2 / m, ratio: m / base };
  });
}

/** Measured figures as rows: ops/s, ratio to the baseline, spread of the rounds as a note. */
export function toRows(measured: readonly Measured[], suffix = ''): Row[] {
  return measured.map((m) => ({
    name: m.name + suffix,
    value: Math.round(m.median),
    unit: 'ops/s',
    ratio: m.ratio,
    note: `±${(m.spread * 100).toFixed(1)}% over ${m.rounds.length} rounds`,
  }));
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** Prints rows as an aligned text table under a title. */
export function printTable(title: string, rows: readonly Row[]): void {
  const cells = rows.map((r) => [
    r.name,
    formatValue(r.value),
    r.unit,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(r.ratio >= 10 ? 1 : 3)}x`,
    r.note ?? '',
  ]);
  const head = ['', 'value', 'unit', 'ratio', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    c
      .map((cell, i) => (i === 1 || i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n## ${title}\n`);
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

/** For a bench file run directly (`npx tsx bench/<file>.ts`): runs it and prints its table. */
export function runMain(title: string, run: () => Promise<Row[]>): void {
  run().then(
    (rows) => printTable(title, rows),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

/** The machine the figures come from, for the header of a run. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `node ${process.version}, ${os.cpus().length} x ${cpu}, ${os.platform()} ${os.arch()}`;
}
