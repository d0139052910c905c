import { type Command, CommanderError } from 'commander';

/**
 * The exit codes scripts can rely on (docs/cli.md, "Exit codes"):
 * 0 everything done, 1 some items failed (or a token was refused), 2 usage or configuration
 * (nothing was attempted, or the platform refused the credentials), 130 interrupted by Ctrl-C,
 * 143 by SIGTERM, 129 by SIGHUP (the report is valid: resume it), 141 stdout closed (`| head`).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, hangup: 129, interrupted: 130, stdoutClosed: 141, terminated: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends a command with a message (never a stack) and a chosen exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage error: a bad flag value, a missing file; exit 2. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

// Commander ends every usage error (unknown option, missing argument, ...) with exit 1, which
// scripts could not tell from "some items failed"; these become 2.
const HELP_OR_VERSION = new Set(['commander.helpDisplayed', 'commander.version']);

/** Maps a commander exit to tokenkit's codes: help and version 0, every other commander error 2. */
export function exitCodeOf(err: CommanderError): number {
  if (HELP_OR_VERSION.has(err.code)) return EXIT.ok;
  if (err.code === 'commander.help' && err.exitCode === 0) return EXIT.ok;
  if (err.code === 'commander.executeSubCommandAsync') return err.exitCode;
  return EXIT.usage;
}

/**
 * Applies tokenkit's exit codes to a command and every command below it (call it once all
 * commands are registered). Usage errors also print a hint to `--help`.
 */
export function applyExitCodes(command: Command): Command {
  command.exitOverride((err) => {
    process.exit(exitCodeOf(err));
  });
  const hint = `(run "${fullName(command)} --help" for usage)`;
  command.configureOutput({ outputError: (text, write) => write(`${oneLineError(text, hint)}\n`) });
  for (const sub of command.commands) applyExitCodes(sub);
  return command;
}

/** Flags someone might try for the secret: there is none, on purpose (ps, shell history). */
const SECRET_FLAG = /unknown option '(--?[^'=\s]*(secret|password)[^'=\s]*)/i;

/**
 * A commander error as tokenkit prints every error: one line, `tokenkit: ...`, with the hint to
 * `--help`. An unknown flag that looks like it takes the secret points to `--api-secret-file`.
 */
export function oneLineError(text: string, hint: string): string {
  const secret = SECRET_FLAG.exec(text);
  if (secret) {
    return (
      `tokenkit: there is no ${secret[1]} flag: a secret on the command line shows in ps and in shell history. ` +
      'Put it in a file readable only by you and pass --api-secret-file FILE, or set TOKENKIT_API_SECRET'
    );
  }
  const message = text.replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
  return `tokenkit: ${message} ${hint}`;
}

function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export { CommanderError };
