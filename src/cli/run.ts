import { ApiError, ArgumentError, ConnectionError, TimeoutError, TokenError, TokenkitError } from '../errors';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import { PLATFORM_CODES } from '../schemas/codes';

/** Where a command writes: stdout for its result, stderr for messages, progress and summaries. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (a progress bar) or not (plain periodic lines). */
  readonly errIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment. */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    errIsTTY: process.stderr.isTTY === true,
    env: process.env,
  };
}

const { apiKey, notAllowed, tokenExpired, tokenIssuedInFuture, tokenMalformed, tokenRequired, tokenRevoked } = PLATFORM_CODES;

/** The output of a run could not be written: stdout was closed (`| head`). The run stops quietly. */
export class StdoutClosedError extends Error {
  constructor() {
    super('stdout was closed');
    this.name = 'StdoutClosedError';
  }
}

/**
 * Set while a batch run writes to stdout and handles its closing itself; otherwise a closed
 * stdout ends the command at once, quietly, with exit 141 (see main.ts).
 */
export const stdoutGuard = { handledByRun: false };

/** Platform codes that mean "these credentials are wrong", whatever the item. */
// 44 on an admin route: the server token is signed with a retired secret (docs/secret-rotation.md).
const CREDENTIAL_CODES = new Set<unknown>([apiKey, tokenExpired, tokenIssuedInFuture, tokenMalformed, tokenRevoked, tokenRequired, notAllowed].map((c) => c.code));

/** True where the platform refused the API key or the server token: no item can succeed. */
export function isCredentialError(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.status === 401 || err.status === 403) && CREDENTIAL_CODES.has(err.code);
}

/** A one-line explanation of a credential refusal, with what to check (never the values). */
export function credentialMessage(err: ApiError): string {
  const hint =
    err.code === apiKey.code
      ? 'check the API key (--api-key or TOKENKIT_API_KEY)'
      : err.code === notAllowed.code
        ? 'the platform took the server token for a user token: check the secret'
        : err.code === tokenRevoked.code
          ? 'the app secret given is retired: use the primary secret (--api-secret-file or TOKENKIT_API_SECRET)'
          : 'check the API secret (--api-secret-file or TOKENKIT_API_SECRET) and the clock';
  return `the platform refused the credentials (code ${err.code}): ${hint}. ${err.message}`;
}

/** The message and exit code an error ends a command with. Never a stack, never a secret. */
export function describeError(err: unknown): { message: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ArgumentError) return { message: err.message, exitCode: EXIT.usage };
  if (isCredentialError(err)) return { message: credentialMessage(err), exitCode: EXIT.usage };
  if (err instanceof TokenError) return { message: `token refused (code ${err.code}): ${err.message}`, exitCode: EXIT.failed };
  if (err instanceof ApiError) return { message: `the platform answered code ${err.code}: ${err.message}`, exitCode: EXIT.failed };
  if (err instanceof ConnectionError || err instanceof TimeoutError) {
    return { message: `${err.message} (is the platform running at the base URL?)`, exitCode: EXIT.failed };
  }
  if (err instanceof TokenkitError) return { message: err.message, exitCode: EXIT.failed };
  if (err instanceof Error) return { message: `unexpected error: ${err.message}`, exitCode: EXIT.failed };
  return { message: `unexpected error: ${String(err)}`, exitCode: EXIT.failed };
}

/**
 * Runs a command's body: its resolved code becomes the exit code; an error is printed as one
 * `tokenkit: ...` line on stderr and ends with the code {@link describeError} gives it.
 * The exit code is set, not forced, so that pending output is flushed first.
 */
export async function runCommand(io: Io, body: () => Promise<ExitCode>): Promise<void> {
  let code: ExitCode;
  try {
    code = await body();
  } catch (err) {
    const { message, exitCode } = describeError(err);
    io.err(`tokenkit: ${message}\n`);
    code = exitCode;
  }
  process.exitCode = code;
}
