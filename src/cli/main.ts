#!/usr/bin/env node
// `npx tokenkit <command>`: a thin commander program. Each command lives in its own file and
// registers itself here.
import { Command } from 'commander';
import { packageVersion } from '../http/environment';
import { registerCommands } from './commands';
import { registerEmulatorCommand } from './emulator-command';

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
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`tokenkit: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
