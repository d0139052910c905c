import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { closeSync, openSync, writeSync } from 'node:fs';
import { type BatchWork, type ReasonCount, type RunItem, type RunSummary, runBatches } from './batch-run';
import { type ConnectionFlags, addConnectionOptions, requirePlatform, resolveConnection } from './config';
import { CliError, EXIT, type ExitCode, usageError } from './exit-codes';
import { type IdLine, checkIdsFile, countLines, readIdChunks } from './id-lines';
import { parsePositiveInt } from './parse';
import { Platform } from './platform';
import { Progress, fmt } from './progress';
import { type ReportState, type RunRecord, ReportWriter, readReport } from './report';
import { type Io, StdoutClosedError, credentialMessage, isCredentialError, stdoutGuard } from './run';
import type { Missing } from './works';

/** The flags every batch command takes. */
export interface BatchFlags extends ConnectionFlags {
  usersFile?: string;
  report?: string;
  resume?: string;
  concurrency?: number;
  batchSize?: number;
  retries?: number;
  timeout?: number;
  quiet?: boolean;
  progressInterval?: number;
  missing?: Missing;
  dryRun?: boolean;
  failedOut?: string;
  json?: boolean;
}

/** Adds the batch flags (ids file, report, resume, concurrency, ...) and the connection flags. */
export function addBatchOptions(command: Command, defaults: { batchSize: number; concurrency: number; missing?: false }): Command {
  command
    .option('--users-file <file>', 'a file of user ids, one per line (streamed: any size; blank lines skipped)')
    .option('--report <file>', 'write a JSON-lines report of every id and its outcome (a new file)')
    .option('--resume <report>', 'continue the run of this report: done ids are skipped, batches in flight re-sent with their keys')
    .addOption(
      new Option('--concurrency <n>', `requests in flight, 1 to 64 (default ${defaults.concurrency})`).argParser((v) => parsePositiveInt(v, '--concurrency', 64)),
    )
    .addOption(
      new Option('--batch-size <n>', `users per batch, 1 to 100 (default ${defaults.batchSize})`).argParser((v) => parsePositiveInt(v, '--batch-size', 100)),
    )
    .addOption(new Option('--retries <n>', 'retries per request, for 429, 5xx and dropped connections (default 6)').argParser((v) => parseRetries(v)))
    .addOption(new Option('--timeout <ms>', 'milliseconds per attempt (default 30000)').argParser((v) => parsePositiveInt(v, '--timeout', 600_000)))
    .addOption(new Option('--progress-interval <ms>', 'when stderr is not a terminal: ms between progress lines (default 2000)').argParser((v) => parsePositiveInt(v, '--progress-interval', 3_600_000)))
    .option('--quiet', 'no progress output (the summary is still printed)')
    .option('--dry-run', 'read the current state and print what would change (counts and the first ids); writes nothing')
    .option('--failed-out <file>', 'write the ids that failed to this new file, one a line, ready to feed back in with --users-file')
    .option('--json', 'print the summary as one JSON object on stdout');
  if (defaults.missing !== false) {
    command.addOption(
      new Option('--missing <mode>', 'ids that name no user: fail them (exit 1), skip them, or create the users first (default fail)').choices(['fail', 'skip', 'create']),
    );
  }
  return addConnectionOptions(command);
}

function parseRetries(v: string): number {
  return v === '0' ? 0 : parsePositiveInt(v, '--retries', 10);
}

/** The platform for a command, from its flags and the environment. */
export async function platformFrom(io: Io, flags: BatchFlags): Promise<Platform> {
  const c = requirePlatform(await resolveConnection(flags, io.env));
  return new Platform({ ...c, maxRetries: flags.retries ?? 6, timeoutMs: flags.timeout ?? 30_000 });
}

/** A new run's header, or the resumed run's (checked against this command). */
export interface RunPlan {
  run: RunRecord;
  state: ReportState | undefined;
  idsFile: string;
}

/**
 * Works out the run: a new one over `--users-file`, or the one `--resume` names (its ids file,
 * checked unchanged by size, and its fixed settings: cutoff, expiry).
 */
export async function planRun(command: RunRecord['command'], flags: BatchFlags, fresh: () => Partial<RunRecord>): Promise<RunPlan> {
  if (flags.resume !== undefined) {
    if (flags.report !== undefined) throw usageError('--resume appends to the report it continues: leave out --report');
    const state = await readReport(flags.resume);
    if (state.run.command !== command) {
      throw usageError(`${JSON.stringify(flags.resume)} is the report of a "${state.run.command}" run, not "${command}"`);
    }
    const idsFile = flags.usersFile ?? state.run.ids_file;
    const size = await checkIdsFile(idsFile);
    if (size !== state.run.ids_file_size) {
      throw usageError(
        `the ids file ${JSON.stringify(idsFile)} has changed since the run (${fmt(state.run.ids_file_size)} bytes then, ${fmt(size)} now): ` +
          'a resumed run goes by line numbers, so it needs the same file',
      );
    }
    if (flags.dryRun === true) throw usageError('--dry-run reads the state of a new run: leave out --resume');
    if (flags.missing !== undefined && flags.missing !== (state.run.missing ?? 'fail')) {
      throw usageError(`a resumed run keeps its --missing (${state.run.missing ?? 'fail'}): leave out --missing ${flags.missing}`);
    }
    return { run: state.run, state, idsFile };
  }
  if (flags.usersFile === undefined) throw usageError('give --users-file FILE (or --resume REPORT)');
  if (flags.dryRun === true && (flags.report !== undefined || flags.failedOut !== undefined)) {
    throw usageError(`--dry-run writes nothing: leave out ${flags.report !== undefined ? '--report' : '--failed-out'}`);
  }
  const size = await checkIdsFile(flags.usersFile);
  const run: RunRecord = {
    type: 'run',
    version: 1,
    command,
    run_id: randomUUID(),
    started_at: new Date().toISOString(),
    ids_file: resolve(flags.usersFile),
    ids_file_size: size,
    batch_size: flags.batchSize ?? 100,
    before: null,
    ...(flags.missing !== undefined ? { missing: flags.missing } : {}),
    ...fresh(),
  };
  return { run, state: undefined, idsFile: flags.usersFile };
}

/** What a batch command runs with. */
export interface BatchRun {
  label: string;
  plan: RunPlan;
  work: BatchWork;
  flags: BatchFlags;
  concurrency: number;
  /** The platform the work goes to (its retries show in the progress). */
  platform: Platform;
  output?: ((lines: string[]) => Promise<void>) | undefined;
  /** How the file's lines are read, a chunk at a time, where they are not one id a line (users import). */
  readLines?: ((path: string) => AsyncIterable<IdLine[]>) | undefined;
  /** How a dry run names its kinds of items (`undefined`: the kind cannot occur). */
  dryRunLabels?: { change: string; same?: string | undefined; unknown?: string | undefined } | undefined;
}

/** The signals that stop a run like Ctrl-C, with the exit code each ends it with. */
const STOP_SIGNALS: ReadonlyArray<[NodeJS.Signals, ExitCode]> = [
  ['SIGINT', EXIT.interrupted],
  ['SIGTERM', EXIT.terminated],
  ['SIGHUP', EXIT.hangup],
];

/** Opens the --failed-out file (a new one); answers how to append ids and how to close it. */
function openFailedOut(path: string | undefined): { write: (ids: string[]) => void; close: () => void } | undefined {
  if (path === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(code === 'EEXIST' ? `--failed-out ${JSON.stringify(path)} exists already: choose another file` : `cannot create --failed-out ${JSON.stringify(path)}: ${String(code)}`);
  }
  return {
    write: (ids) => {
      const data = Buffer.from(ids.join('\n') + '\n');
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written);
    },
    close: () => closeSync(fd),
  };
}

/** What the summary calls the items of a code: "2,000 unknown users (16)". */
const REASON_LABELS: Record<string, string> = {
  '16': 'unknown users',
  '4': 'refused as invalid input',
  '9': 'rate limited',
  '-1': 'platform errors',
  ERR_INVALID_LINE: 'lines that are not valid',
  DUPLICATE: 'repeated ids',
  created: 'users created first (--missing create)',
  TimeoutError: 'timed out',
  ConnectionError: 'platform unreachable',
};

/** "failed: 2,000 unknown users (16); 3 lines that are not valid (ERR_INVALID_LINE)", one line per status. */
export function reasonLines(reasons: readonly ReasonCount[]): string[] {
  const lines: string[] = [];
  for (const status of ['failed', 'skipped', 'done'] as const) {
    const of = reasons.filter((r) => r.status === status);
    if (of.length === 0) continue;
    const parts = of.map((r) => (r.code === 'created' ? `${fmt(r.count)} ${REASON_LABELS['created']}` : `${fmt(r.count)} ${REASON_LABELS[String(r.code)] ?? 'errors'} (${r.code})`));
    lines.push(`  ${status}: ${parts.join('; ')}`);
  }
  return lines;
}

/**
 * Runs a batch command to its end: report (new or resumed), progress, signals (Ctrl-C, SIGTERM,
 * SIGHUP: stop after the batches in flight; a second one quits at once, the write-ahead report
 * stays valid), a closed stdout (stop quietly), the summary (with --json, as one JSON object on
 * stdout), and the exit code: 0 all done, 1 some failed, 2 credentials refused, 130/143/129
 * interrupted, 141 stdout closed.
 */
export async function executeBatchRun(io: Io, r: BatchRun): Promise<ExitCode> {
  const { plan, flags } = r;
  if (flags.dryRun === true) return executeDryRun(io, r);
  const reportPath = flags.resume ?? flags.report;
  const failedOut = openFailedOut(flags.failedOut);
  let report: ReportWriter | undefined;
  try {
    if (flags.resume !== undefined) {
      report = ReportWriter.reopen(flags.resume);
      report.write([{ type: 'resume', at: new Date().toISOString() }]);
    } else if (flags.report !== undefined) {
      report = ReportWriter.create(flags.report, plan.run);
    }
  } catch (err) {
    failedOut?.close();
    throw err;
  }
  const progress = new Progress(io, {
    label: r.label,
    totalIds: await countLines(plan.idsFile),
    enabled: flags.quiet !== true,
    ...(flags.progressInterval !== undefined ? { intervalMs: flags.progressInterval } : {}),
  });
  r.platform.onRetry = (note) => progress.note(note);
  const stop = { requested: false };
  let stoppedBy: NodeJS.Signals | undefined;
  const handlers = STOP_SIGNALS.map(([signal, exitCode]) => {
    const handler = (): void => {
      if (stop.requested) {
        io.err(`\ntokenkit: ${signal}: stopped at once; resume from the report to finish (batches in flight are re-sent with their keys)\n`);
        process.exit(exitCode);
      }
      stop.requested = true;
      stoppedBy = signal;
      const how = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
      io.err(`\ntokenkit: ${signal === 'SIGINT' ? '' : `${signal}: `}stopping after the batches in flight (${how} to quit at once)\n`);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  stdoutGuard.handledByRun = true;
  const started = Date.now();
  let summary: RunSummary;
  try {
    summary = await runBatches({
      idsFile: plan.idsFile,
      report,
      resume: plan.state,
      batchSize: plan.run.batch_size,
      concurrency: r.concurrency,
      progress,
      work: r.work,
      output: r.output,
      failedOut: failedOut?.write,
      readLines: r.readLines,
      stop,
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    stdoutGuard.handledByRun = false;
    r.platform.onRetry = undefined;
    progress.stop();
    failedOut?.close();
  }
  const stdoutClosed = summary.fatal instanceof StdoutClosedError;
  const fatal = stdoutClosed ? undefined : summary.fatal;
  const reason = fatal !== undefined ? fatalMessage(fatal) : stdoutClosed ? 'stdout was closed' : undefined;
  const interrupted = summary.interrupted || stdoutClosed;
  report?.write([
    {
      type: 'end',
      at: new Date().toISOString(),
      done: summary.done,
      failed: summary.failed,
      skipped: summary.skipped,
      interrupted,
      ...(reason !== undefined ? { reason } : {}),
      ...(stoppedBy !== undefined ? { signal: stoppedBy } : {}),
      reasons: summary.reasons,
    },
  ]);
  report?.close();
  const seconds = (Date.now() - started) / 1000;
  const earlier = summary.doneBefore > 0 ? ` (${fmt(summary.doneBefore)} done by the earlier run)` : '';
  io.err(`${r.label}: ${fmt(summary.done)} done, ${fmt(summary.failed)} failed, ${fmt(summary.skipped)} skipped${earlier} in ${seconds.toFixed(1)} s\n`);
  for (const line of reasonLines(summary.reasons)) io.err(`${line}\n`);
  const resumeHint = reportPath !== undefined ? ` continue with --resume ${reportPath}` : ' (no --report: a new run redoes every id)';
  let code: ExitCode;
  if (stdoutClosed) {
    io.err(`tokenkit: stdout was closed; stopped after the lines written;${resumeHint}\n`);
    code = EXIT.stdoutClosed;
  } else if (reason !== undefined) {
    io.err(`tokenkit: stopped: ${reason};${resumeHint}\n`);
    code = isCredentialError(fatal) ? EXIT.usage : EXIT.failed;
  } else if (summary.interrupted) {
    io.err(`tokenkit: interrupted${stoppedBy !== undefined && stoppedBy !== 'SIGINT' ? ` by ${stoppedBy}` : ''};${resumeHint}\n`);
    code = STOP_SIGNALS.find(([s]) => s === stoppedBy)?.[1] ?? EXIT.interrupted;
  } else if (summary.failed > 0) {
    const feed = flags.failedOut !== undefined ? `; their ids are in ${flags.failedOut}` : '';
    io.err(`tokenkit: ${fmt(summary.failed)} failed${reportPath !== undefined ? `: see ${reportPath}; --resume retries them` : ''}${feed}\n`);
    code = EXIT.failed;
  } else code = EXIT.ok;
  if (flags.json === true && !stdoutClosed) {
    io.out(
      JSON.stringify({
        command: plan.run.command,
        run_id: plan.run.run_id,
        done: summary.done,
        failed: summary.failed,
        skipped: summary.skipped,
        done_before: summary.doneBefore,
        reasons: summary.reasons,
        interrupted,
        signal: stoppedBy ?? null,
        stopped: reason ?? null,
        seconds: Number(seconds.toFixed(3)),
        report: reportPath ?? null,
        failed_out: flags.failedOut ?? null,
        exit_code: code,
      }) + '\n',
    );
  }
  return code;
}

/** Up to this many ids of each kind are named by a dry run. */
const DRY_RUN_FIRST = 5;

/**
 * --dry-run: reads the ids file and, 100 ids a request, the users' current state
 * (`GET /v1/users?ids=`), and prints what the run would do; writes nothing.
 */
async function executeDryRun(io: Io, r: BatchRun): Promise<ExitCode> {
  const preview = r.work.preview;
  if (preview === undefined) throw usageError(`${r.label} has no --dry-run`);
  const kinds = { change: [] as string[], same: [] as string[], unknown: [] as string[] };
  const counts = { change: 0, same: 0, unknown: 0, invalid: 0, repeated: 0 };
  const seen = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const look = async (items: RunItem[]): Promise<void> => {
    try {
      const found = await preview(items);
      found.forEach((kind, i) => {
        counts[kind]++;
        if (kinds[kind].length < DRY_RUN_FIRST) kinds[kind].push(items[i]!.id);
      });
    } catch (err) {
      failure ??= err;
    }
  };
  let batch: RunItem[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const p: Promise<void> = look(batch).finally(() => inFlight.delete(p));
    batch = [];
    inFlight.add(p);
    while (inFlight.size >= r.concurrency) await Promise.race(inFlight);
  };
  read: for await (const lines of (r.readLines ?? readIdChunks)(r.plan.idsFile)) {
    for (const l of lines) {
      if (failure !== undefined) break read;
      if (l.error !== undefined) counts.invalid++;
      else if (seen.has(l.id)) counts.repeated++;
      else {
        seen.add(l.id);
        batch.push({ line: l.line, id: l.id });
        if (batch.length >= 100) await flush();
      }
    }
  }
  await flush();
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  const labels = r.dryRunLabels ?? { change: 'would change', same: 'already as wanted', unknown: 'unknown users' };
  const missing = r.plan.run.missing ?? 'fail';
  const first = (ids: string[], n: number) => (n === 0 ? '' : ` (first: ${ids.join(', ')}${n > ids.length ? ', ...' : ''})`);
  const fate = missing === 'create' ? 'would be created (--missing create)' : missing === 'skip' ? 'would be skipped (--missing skip)' : 'would fail (--missing fail; exit 1)';
  io.err(`${r.label} --dry-run: nothing was written\n`);
  io.err(`  ${labels.change}: ${fmt(counts.change)}${first(kinds.change, counts.change)}\n`);
  if (labels.same !== undefined) io.err(`  ${labels.same}: ${fmt(counts.same)}${first(kinds.same, counts.same)}\n`);
  if (labels.unknown !== undefined) io.err(`  ${labels.unknown}: ${fmt(counts.unknown)}${first(kinds.unknown, counts.unknown)}${counts.unknown > 0 ? `: ${fate}` : ''}\n`);
  if (counts.invalid > 0) io.err(`  lines that are not valid: ${fmt(counts.invalid)} (they would fail)\n`);
  if (counts.repeated > 0) io.err(`  repeated ids: ${fmt(counts.repeated)} (skipped)\n`);
  if (r.flags.json === true) {
    io.out(
      JSON.stringify({
        command: r.plan.run.command,
        dry_run: true,
        would_change: counts.change,
        unchanged: counts.same,
        unknown: counts.unknown,
        missing,
        invalid_lines: counts.invalid,
        repeated: counts.repeated,
        first: kinds,
      }) + '\n',
    );
  }
  return EXIT.ok;
}

function fatalMessage(err: unknown): string {
  if (isCredentialError(err)) return credentialMessage(err);
  if (err instanceof Error) return err.message;
  return String(err);
}

export { CliError };
