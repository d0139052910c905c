#!/usr/bin/env node
// `npx tokenkit <command>`: a thin commander program. Each command lives in its own file and
// registers itself here.
import { Command } from 'commander';
import { packageVersion } from '../http/environment';
import { registerCommands } from './commands';
import { registerEmulatorCommand } from './emulator-command';
import { EXIT } from './exit-codes';
import { stdoutGuard } from './run';

/** The `tokenkit` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('tokenkit')
    .description('tokenkit: user authentication for the chat/feeds platform')
    .version(packageVersion(), '-V, --version', 'print the version of tokenkit');
  registerEmulatorCommand(program);
  // Last: it also applies the exit codes (0 ok, 1 failed items, 2 usage) to every command.
  registerCommands(program);
  return program;
}

if (require.main === module) {
  // `tokenkit ... | head`: once the reader is gone, end quietly (no EPIPE stack trace). A batch run
  // writing to stdout handles it itself (it stops, and closes its report with an end record).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (stdoutGuard.handledByRun) return;
    process.exit(err.code === 'EPIPE' ? EXIT.stdoutClosed : EXIT.failed);
  });
  // A closed terminal (SIGHUP) or stderr pipe must not crash a run that is saving its report.
  process.stderr.on('error', () => undefined);
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`tokenkit: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
