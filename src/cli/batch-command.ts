import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { type BatchWork, type RunSummary, runBatches } from './batch-run';
import { type ConnectionFlags, addConnectionOptions, requirePlatform, resolveConnection } from './config';
import { CliError, EXIT, type ExitCode, usageError } from './exit-codes';
import { checkIdsFile } from './id-lines';
import { parsePositiveInt } from './parse';
import { Platform } from './platform';
import { Progress, fmt } from './progress';
import { type ReportState, type RunRecord, ReportWriter, readReport } from './report';
import { type Io, credentialMessage, isCredentialError } from './run';

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
}

/** Adds the batch flags (ids file, report, resume, concurrency, ...) and the connection flags. */
export function addBatchOptions(command: Command, defaults: { batchSize: number; concurrency: number }): Command {
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
    .option('--quiet', 'no progress output (the summary is still printed)');
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
    return { run: state.run, state, idsFile };
  }
  if (flags.usersFile === undefined) throw usageError('give --users-file FILE (or --resume REPORT)');
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
  output?: ((lines: string[]) => Promise<void>) | undefined;
}

/**
 * Runs a batch command to its end: report (new or resumed), progress, Ctrl-C (stop after the
 * batches in flight; a second Ctrl-C quits at once, the write-ahead report stays valid), the
 * summary, and the exit code: 0 all done, 1 some failed, 2 credentials refused, 130 interrupted.
 */
export async function executeBatchRun(io: Io, r: BatchRun): Promise<ExitCode> {
  const { plan, flags } = r;
  const reportPath = flags.resume ?? flags.report;
  let report: ReportWriter | undefined;
  if (flags.resume !== undefined) {
    report = ReportWriter.reopen(flags.resume);
    report.write([{ type: 'resume', at: new Date().toISOString() }]);
  } else if (flags.report !== undefined) {
    report = ReportWriter.create(flags.report, plan.run);
  }
  const progress = new Progress(io, {
    label: r.label,
    totalBytes: plan.run.ids_file_size,
    enabled: flags.quiet !== true,
    ...(flags.progressInterval !== undefined ? { intervalMs: flags.progressInterval } : {}),
  });
  const stop = { requested: false };
  const onSigint = () => {
    if (stop.requested) {
      io.err('\ntokenkit: stopped at once; resume from the report to finish (batches in flight are re-sent with their keys)\n');
      process.exit(EXIT.interrupted);
    }
    stop.requested = true;
    io.err('\ntokenkit: stopping after the batches in flight (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
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
      stop,
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }
  const reason = summary.fatal !== undefined ? fatalMessage(summary.fatal) : undefined;
  report?.write([
    {
      type: 'end',
      at: new Date().toISOString(),
      done: summary.done,
      failed: summary.failed,
      skipped: summary.skipped,
      interrupted: summary.interrupted,
      ...(reason !== undefined ? { reason } : {}),
    },
  ]);
  report?.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const earlier = summary.doneBefore > 0 ? ` (${fmt(summary.doneBefore)} done by the earlier run)` : '';
  io.err(`${r.label}: ${fmt(summary.done)} done, ${fmt(summary.failed)} failed, ${fmt(summary.skipped)} skipped${earlier} in ${seconds} s\n`);
  const resumeHint = reportPath !== undefined ? ` continue with --resume ${reportPath}` : ' (no --report: a new run redoes every id)';
  if (reason !== undefined) {
    io.err(`tokenkit: stopped: ${reason};${resumeHint}\n`);
    return isCredentialError(summary.fatal) ? EXIT.usage : EXIT.failed;
  }
  if (summary.interrupted) {
    io.err(`tokenkit: interrupted;${resumeHint}\n`);
    return EXIT.interrupted;
  }
  if (summary.failed > 0) {
    io.err(`tokenkit: ${fmt(summary.failed)} failed${reportPath !== undefined ? `: see ${reportPath}; --resume retries them` : ''}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

function fatalMessage(err: unknown): string {
  if (isCredentialError(err)) return credentialMessage(err);
  if (err instanceof Error) return err.message;
  return String(err);
}

export { CliError };
