import { type Command, Option } from 'commander';
import { type BatchFlags, addBatchOptions, executeBatchRun, planRun, platformFrom } from './batch-command';
import { EXIT, type ExitCode, usageError } from './exit-codes';
import { parseIsoDate, parseUserId } from './parse';
import { type Io, processIo, runCommand } from './run';
import { cutoffWork } from './works';

interface CutoffFlags extends BatchFlags {
  user?: string;
  app?: boolean;
  before?: Date;
}

type Mode = 'revoke' | 'restore';

function target(flags: CutoffFlags): 'user' | 'users' | 'app' {
  const given = [flags.user !== undefined && '--user', (flags.usersFile !== undefined || flags.resume !== undefined) && '--users-file/--resume', flags.app && '--app'].filter(
    (x): x is string => typeof x === 'string',
  );
  if (given.length !== 1) {
    throw usageError(given.length === 0 ? 'say whose tokens: --user ID, --users-file FILE or --app' : `give only one of ${given.join(', ')}`);
  }
  if ((flags.report !== undefined || flags.resume !== undefined) && flags.usersFile === undefined && flags.resume === undefined) {
    throw usageError('--report goes with --users-file');
  }
  return flags.user !== undefined ? 'user' : flags.app ? 'app' : 'users';
}

async function cutoffCommand(io: Io, mode: Mode, flags: CutoffFlags): Promise<ExitCode> {
  const what = target(flags);
  if (mode === 'revoke' && what === 'app' && flags.before === undefined) {
    throw usageError('revoke --app needs --before ISO (or --before now): every token of every user issued before it is refused');
  }
  if (what !== 'users' && (flags.dryRun === true || flags.missing !== undefined || flags.failedOut !== undefined || flags.json === true)) {
    throw usageError('--dry-run, --missing, --failed-out and --json go with --users-file (a batch run)');
  }
  if (what === 'users' && flags.resume !== undefined && flags.before !== undefined) {
    throw usageError('a resumed run keeps its cutoff: leave out --before');
  }
  const platform = await platformFrom(io, flags);
  if (what === 'user') {
    const user = flags.user as string;
    if (mode === 'revoke') {
      const { revokeTokensIssuedBefore } = await platform.client.revokeUserTokens(user, flags.before);
      io.out(`revoked: tokens of ${user} issued before ${revokeTokensIssuedBefore.toISOString()} are refused (44)\n`);
    } else {
      await platform.client.restoreUserTokens(user);
      io.out(`restored: ${user} has no revocation cutoff; its unexpired tokens are accepted again\n`);
    }
    return EXIT.ok;
  }
  if (what === 'app') {
    if (mode === 'revoke') {
      const app = await platform.client.revokeAppTokens(flags.before as Date);
      io.out(`revoked: every token of the app issued before ${app.revoke_tokens_issued_before?.toISOString()} is refused (44)\n`);
    } else {
      await platform.client.restoreAppTokens();
      io.out('restored: the app has no revocation cutoff\n');
    }
    return EXIT.ok;
  }
  // The cutoff is fixed once for the run and recorded in its report: a resumed run sends the
  // same cutoff (and the same bytes, so that the platform can replay what it applied).
  const plan = await planRun(mode, flags, () => ({ before: mode === 'revoke' ? (flags.before ?? new Date()).toISOString() : null }));
  const cutoff = plan.run.before === null ? null : new Date(plan.run.before);
  if (mode === 'revoke' && cutoff === null) throw usageError('the report has no cutoff: it is not a revoke run');
  if (flags.json !== true) {
    if (cutoff) io.err(`revoke: tokens issued before ${cutoff.toISOString()}, users from ${plan.idsFile}\n`);
    else io.err(`restore: clearing the cutoff of the users from ${plan.idsFile}\n`);
  }
  return executeBatchRun(io, {
    label: mode,
    plan,
    work: cutoffWork(platform, cutoff, plan.run.missing ?? 'fail'),
    flags,
    concurrency: flags.concurrency ?? 8,
    platform,
    dryRunLabels:
      mode === 'revoke'
        ? { change: 'would be revoked', same: 'already revoked at this cutoff', unknown: 'unknown users' }
        : { change: 'would be restored (they have a cutoff)', same: 'have no cutoff already', unknown: 'unknown users' },
  });
}

function define(program: Command, io: Io, mode: Mode): Command {
  const cmd = program
    .command(mode)
    .description(
      mode === 'revoke'
        ? 'revoke tokens: of one user, of every user in a file (a resumable batch run), or of the whole app'
        : 'undo a revocation: the old, unexpired tokens are accepted again',
    )
    .option('--user <id>', 'one user', parseUserId)
    .option('--app', 'the app-level cutoff (every user)');
  if (mode === 'revoke') {
    cmd.addOption(
      new Option('--before <iso>', 'the cutoff: tokens issued before it are refused (RFC 3339 or "now"; default now; required with --app)').argParser(parseIsoDate),
    );
  }
  addBatchOptions(cmd, { batchSize: 100, concurrency: 8 });
  cmd.addHelpText(
    'after',
    `\nExamples:\n  tokenkit ${mode} --user alice\n  tokenkit ${mode} --users-file ids.txt --dry-run\n  tokenkit ${mode} --users-file ids.txt --report ${mode}.jsonl --failed-out failed.txt\n  tokenkit ${mode} --resume ${mode}.jsonl\n  tokenkit ${mode} --app${mode === 'revoke' ? ' --before 2026-01-01T00:00:00Z' : ''}\n`,
  );
  cmd.action((flags: CutoffFlags) => runCommand(io, () => cutoffCommand(io, mode, flags)));
  return cmd;
}

/**
 * `tokenkit revoke` and `tokenkit restore`.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * registerRevokeCommands(new Command('tokenkit'));
 * ```
 */
export function registerRevokeCommands(program: Command, io: Io = processIo()): void {
  define(program, io, 'revoke');
  define(program, io, 'restore');
}
