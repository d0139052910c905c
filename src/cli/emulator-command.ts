import { type Command, InvalidArgumentError } from 'commander';
import { startEmulator } from '../emulator/emulator';
import type { EmulatorLogRecord } from '../emulator/server';

/** Where the emulator command writes: the banner and the request log go to `out`. */
export interface EmulatorCommandIo {
  out(text: string): void;
  err(text: string): void;
}

const defaultIo: EmulatorCommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: a free port)');
  }
  return n;
}

/** One request-log line: method, path, status, ms, request id. Never a header, a token or a secret. */
export function formatLogLine(r: EmulatorLogRecord): string {
  const fault = r.fault === undefined ? '' : ` fault=${r.fault}`;
  return `${r.method} ${r.path} ${r.status} ${r.ms.toFixed(1)}ms ${r.requestId}${fault}\n`;
}

interface Flags {
  port: number;
  host: string;
  data?: string;
  apiKey?: string;
  apiSecret?: string;
  quiet?: boolean;
  corsOrigin?: string[];
}

/**
 * Registers `tokenkit emulator`: starts the platform emulator, prints its URL, key and secret
 * (the secret only where it was generated), logs one line per request, and stops cleanly on
 * SIGINT or SIGTERM.
 */
export function registerEmulatorCommand(program: Command, io: EmulatorCommandIo = defaultIo): Command {
  program
    .command('emulator')
    .description('run the platform emulator: the whole platform contract on a local HTTP server, for development and tests')
    .option('--port <port>', 'port to listen on (0: a free port)', parsePort, 8787)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <file>', 'keep the state in this JSON file (loaded at start, written atomically after each change)')
    .option('--api-key <key>', 'the app key (default: a random one)')
    .option('--api-secret <secret>', 'the app secret (default: a random one, printed at start)')
    .option('--quiet', 'do not log requests')
    .option(
      '--cors-origin <origin>',
      'let pages on this origin call the client routes from a browser, e.g. http://localhost:3000 (repeatable; "*" for any); admin routes never',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .addHelpText(
      'after',
      '\nExample:\n  npx tokenkit emulator --port 8787 --data .emulator.json\n' +
        'Then point the SDK at it with the printed TOKENKIT_BASE_URL, TOKENKIT_API_KEY and TOKENKIT_API_SECRET.',
    )
    .action(async (flags: Flags) => {
      const emulator = await startEmulator({
        port: flags.port,
        host: flags.host,
        dataFile: flags.data,
        apiKey: flags.apiKey,
        apiSecret: flags.apiSecret,
        corsOrigins: flags.corsOrigin?.includes('*') ? '*' : flags.corsOrigin,
        logger: flags.quiet ? undefined : (record) => io.out(formatLogLine(record)),
      });
      io.out(
        `tokenkit emulator listening on ${emulator.url}\n` +
          `  TOKENKIT_BASE_URL=${emulator.url}\n` +
          `  TOKENKIT_API_KEY=${emulator.apiKey}\n` +
          // A secret the user gave is not echoed: it may be one they use elsewhere.
          (flags.apiSecret === undefined ? `  TOKENKIT_API_SECRET=${emulator.apiSecret}\n` : '  TOKENKIT_API_SECRET=(the --api-secret given)\n') +
          `  state: ${flags.data === undefined ? 'in memory' : flags.data}\n` +
          'Stop with Ctrl-C.\n',
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          io.out(`${signal}: stopping\n`);
          emulator.close().then(
            () => {
              io.out('emulator stopped\n');
              resolve();
            },
            (err: unknown) => {
              io.err(`tokenkit: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
              process.exitCode = 1;
              resolve();
            },
          );
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
  return program;
}
