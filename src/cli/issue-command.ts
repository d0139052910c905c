import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { type BatchFlags, addBatchOptions, executeBatchRun, planRun, platformFrom } from './batch-command';
import { type ExitCode, usageError } from './exit-codes';
import { parseIsoDate } from './parse';
import { type Io, StdoutClosedError, processIo, runCommand } from './run';
import { issueWork } from './works';

interface IssueFlags extends BatchFlags {
  compat?: boolean;
  expiresAt?: Date;
  out?: string;
}

/** Opens the token output: a new file (never overwritten), the same file appended on resume, or stdout. */
function openOutput(path: string | null, resuming: boolean): { write: (lines: string[]) => Promise<void>; close: () => void } {
  if (path === null) {
    let closed = false;
    return {
      // Rejects once stdout is closed (`| head`): the run stops, and those lines' batch stays open
      // in the report, so that a resumed run gets the same tokens back from the platform's replay.
      write: (lines) =>
        new Promise((done, fail) => {
          if (closed || process.stdout.destroyed || !process.stdout.writable) {
            closed = true;
            fail(new StdoutClosedError());
            return;
          }
          process.stdout.write(lines.join('\n') + '\n', (err) => {
            if (err) {
              closed = true;
              fail(new StdoutClosedError());
            } else done();
          });
        }),
      close: () => undefined,
    };
  }
  let fd: number;
  try {
    fd = openSync(path, resuming ? 'a' : 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(
      code === 'EEXIST'
        ? `the output ${JSON.stringify(path)} exists already: it holds tokens; move it away or choose another --out`
        : `cannot open the output ${JSON.stringify(path)}: ${String(code)}`,
    );
  }
  return {
    write: async (lines) => {
      const data = Buffer.from(lines.join('\n') + '\n');
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written);
    },
    close: () => closeSync(fd),
  };
}

async function issueCommand(io: Io, flags: IssueFlags): Promise<ExitCode> {
  if (flags.resume !== undefined && (flags.expiresAt !== undefined || flags.compat !== undefined || flags.out !== undefined)) {
    throw usageError('a resumed run keeps its settings: leave out --expires-at, --compat and --out');
  }
  if (flags.expiresAt !== undefined && flags.expiresAt.getTime() <= Date.now()) {
    throw usageError(`--expires-at ${flags.expiresAt.toISOString()} is in the past`);
  }
  if (flags.json === true && flags.dryRun !== true && flags.resume === undefined && flags.out === undefined) {
    throw usageError('--json prints the summary on stdout, where the tokens go without --out: give --out FILE');
  }
  const platform = await platformFrom(io, flags);
  const plan = await planRun('issue', flags, () => ({
    batch_size: flags.batchSize ?? 25,
    compat: flags.compat === true,
    expires_at: flags.expiresAt?.getTime() ?? null,
    out: flags.out !== undefined ? resolve(flags.out) : null,
  }));
  const compat = plan.run.compat === true;
  const expiresAtMs = plan.run.expires_at ?? undefined;
  if (compat) {
    // Checked once up front: with compatibility mode off, every id would fail the same way.
    const app = await platform.client.getApp();
    if (app.jwt_enabled && !app.jwt_compatibility_mode) {
      throw usageError(
        "--compat issues through the user-update call, which needs the app's jwt_compatibility_mode, and it is off. " +
          'Turn it on (PATCH /v1/app {"jwt_compatibility_mode": true}, or client.updateApp), or leave out --compat',
      );
    }
  }
  if (plan.run.out === null && io.errIsTTY && process.stdout.isTTY) {
    io.err('issue: writing tokens to the terminal; use --out FILE to keep them\n');
  }
  if (flags.json === true && plan.run.out === null && flags.dryRun !== true) {
    throw usageError('--json prints the summary on stdout, where this run writes its tokens: resume it without --json');
  }
  const output = flags.dryRun === true ? { write: async () => undefined, close: () => undefined } : openOutput(plan.run.out ?? null, flags.resume !== undefined);
  if (flags.json !== true) io.err(`issue: ${compat ? 'compatibility mode (PUT /v1/users/{id})' : 'POST /v1/users/{id}/token'}, users from ${plan.idsFile}\n`);
  try {
    return await executeBatchRun(io, {
      label: 'issue',
      plan,
      work: issueWork(platform, { expiresAtMs, compat, missing: plan.run.missing }),
      flags,
      concurrency: flags.concurrency ?? 8,
      platform,
      output: output.write,
      dryRunLabels: { change: 'would get a token', unknown: compat ? undefined : 'unknown users' },
    });
  } finally {
    output.close();
  }
}

/**
 * `tokenkit issue`: platform-issued tokens for every user in a file, one JSON line each.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * registerIssueCommand(new Command('tokenkit'));
 * ```
 */
export function registerIssueCommand(program: Command, io: Io = processIo()): Command {
  const cmd = program
    .command('issue')
    .description('have the platform issue a token for every user in a file; one JSON line per user: {"user_id","token","expires_at"}')
    .option('--compat', 'issue through the user-update call (PUT /v1/users/{id} with issue_session_token): needs jwt_compatibility_mode')
    .addOption(new Option('--expires-at <iso>', 'when every token expires (default: the platform\'s, 7 days)').argParser(parseIsoDate))
    .option('--out <file>', 'write the token lines to this new file (mode 600) instead of stdout');
  addBatchOptions(cmd, { batchSize: 25, concurrency: 8 });
  cmd.addHelpText(
    'after',
    '\nThe token lines are secrets: the report records each id\'s outcome and expiry, never a token.\n\nExamples:\n  tokenkit issue --users-file ids.txt --out tokens.jsonl --report issue.jsonl\n  tokenkit issue --resume issue.jsonl\n',
  );
  cmd.action((flags: IssueFlags) => runCommand(io, () => issueCommand(io, flags)));
  return cmd;
}
