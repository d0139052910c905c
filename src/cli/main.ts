#!/usr/bin/env node
// `npx tokenkit <command>`: a thin commander program. Each command lives in its own file and
// registers itself here.
import { Command } from 'commander';
import { packageVersion } from '../http/environment';
import { isRegisteredCommand, registerCommands } from './commands';
import { registerEmulatorCommand } from './emulator-command';
import { EXIT, applyExitCodes } from './exit-codes';
import { processIo, stdoutGuard } from './run';

/**
 * The `tokenkit` program. Given the command line (`process.argv`), where it names a command, only
 * that command is registered: its options, help and errors are the same, and a run does not build
 * every other command first (about 10 ms of CPU a start). Anything else (no command, `--help`,
 * `help`, `-V`, a misspelt command) gets every command, for the help and the suggestions.
 */
export function buildProgram(argv: readonly string[] = []): Command {
  const program = new Command('tokenkit')
    .description('tokenkit: user authentication for the chat/feeds platform')
    .version(packageVersion(), '-V, --version', 'print the version of tokenkit');
  const named = argv[2];
  const only = named === 'emulator' || isRegisteredCommand(named) ? named : undefined;
  if (only === undefined || only === 'emulator') registerEmulatorCommand(program);
  // Last: it also applies the exit codes (0 ok, 1 failed items, 2 usage) to every command.
  if (only === 'emulator') applyExitCodes(program);
  else registerCommands(program, processIo(), only);
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
  buildProgram(process.argv)
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`tokenkit: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
