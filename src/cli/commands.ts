import { join } from 'node:path';
import type { Command } from 'commander';
import { registerDemoCommand } from './demo-command';
import { applyExitCodes } from './exit-codes';
import { registerIssueCommand } from './issue-command';
import { registerRevokeCommands } from './revoke-command';
import { type Io, processIo } from './run';
import { registerSecretCommands } from './secret-command';
import { registerTokenCommands } from './token-command';
import { registerUsersCommands } from './users-command';

/**
 * Where a guide is in this installation: `<package>/docs/<name>`, shipped in the package (`files`),
 * so the help points at a file an installed user has (from `dist/cli` or, in a clone, `src/cli`).
 */
export function guidePath(name: string): string {
  return join(__dirname, '..', '..', 'docs', name);
}

/** The top-level commands this file registers, by name, and the call that registers each (revoke and restore come together). */
const COMMAND_GROUPS: ReadonlyArray<{ names: readonly string[]; register: (program: Command, io: Io) => void }> = [
  { names: ['token'], register: registerTokenCommands },
  { names: ['revoke', 'restore'], register: registerRevokeCommands },
  { names: ['issue'], register: registerIssueCommand },
  { names: ['secret'], register: registerSecretCommands },
  { names: ['users'], register: registerUsersCommands },
  { names: ['demo'], register: registerDemoCommand },
];

/** Whether `name` is one of the top-level commands {@link registerCommands} registers. */
export function isRegisteredCommand(name: string | undefined): boolean {
  return COMMAND_GROUPS.some((g) => name !== undefined && g.names.includes(name));
}

/**
 * Registers `token`, `revoke`, `restore`, `issue`, `secret`, `users` and `demo` on the program (with
 * `only`, the name of one of them: that one alone, for a process that runs just it), then applies
 * tokenkit's exit codes (0 ok, 1 failed items, 2 usage) to every command registered so far:
 * call it after the other commands.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * const program = new Command('tokenkit');
 * registerCommands(program);
 * ```
 */
export function registerCommands(program: Command, io: Io = processIo(), only?: string): Command {
  const one = COMMAND_GROUPS.find((g) => only !== undefined && g.names.includes(only));
  for (const group of one ? [one] : COMMAND_GROUPS) group.register(program, io);
  program.addHelpText(
    'after',
    '\nConfiguration: --api-key, --api-secret-file, --base-url, or TOKENKIT_API_KEY, TOKENKIT_API_SECRET (or TOKENKIT_API_SECRETS,\n' +
      'a keyring as JSON), TOKENKIT_BASE_URL.\n' +
      'Exit codes: 0 ok, 1 failed items (or a refused token), 2 usage or configuration, 130/143/129 interrupted by\n' +
      'Ctrl-C/SIGTERM/SIGHUP (resume it), 141 stdout closed.\n' +
      `Start with: tokenkit demo. Every command, and a migration runbook: ${guidePath('cli.md')} (shipped with tokenkit).\n`,
  );
  return applyExitCodes(program);
}
