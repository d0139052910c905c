import { type Command, InvalidArgumentError } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ServerClient } from '../server-client';
import type * as EmulatorModule from '../emulator/emulator';
import { isLoopbackAddress } from '../emulator/dashboard/security';
import type { UserInput } from '../schemas/users';
import { CliError, EXIT, usageError } from './exit-codes';
import { readIdLines } from './id-lines';
import { jsonUserLine } from './users-command';
import type { EmulatorLogRecord } from '../emulator/server';

/**
 * The emulator, loaded by the commands that start one (`emulator`, `demo`) when they run: its
 * route table and stores are built at load, which every other command (a batch run, a token mint)
 * would pay for at start-up.
 */
export function loadEmulator(): typeof EmulatorModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../emulator/emulator') as typeof EmulatorModule;
}

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
  dashboard: boolean;
  envFile?: string;
  writeEnv?: string;
  seed?: string;
  corsOrigin?: string[];
}

/** A value as a POSIX shell word: as it is where that is safe, else single-quoted. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Where `--data FILE` keeps the generated key and secret: `FILE.credentials.json`, mode 600. */
export function credentialsFile(dataFile: string): string {
  return `${dataFile}.credentials.json`;
}

/**
 * The key and secret of an emulator with `--data`: the flags where given, else the ones kept
 * next to the data file, else new ones (then kept there, mode 600), so that a restart keeps them.
 */
function persistedCredentials(flags: Flags): { apiKey: string | undefined; apiSecret: string | undefined } {
  if (flags.data === undefined) return { apiKey: flags.apiKey, apiSecret: flags.apiSecret };
  const file = credentialsFile(flags.data);
  let kept: { api_key?: unknown; api_secret?: unknown } = {};
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as typeof kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw usageError(`cannot read ${JSON.stringify(file)} (the emulator's kept key and secret): fix or delete it`);
  }
  const apiKey = flags.apiKey ?? (typeof kept.api_key === 'string' ? kept.api_key : `emu_${randomBytes(8).toString('hex')}`);
  const apiSecret = flags.apiSecret ?? (typeof kept.api_secret === 'string' ? kept.api_secret : randomBytes(32).toString('hex'));
  const toKeep: Record<string, string> = {};
  if (flags.apiKey === undefined) toKeep['api_key'] = apiKey;
  if (flags.apiSecret === undefined) toKeep['api_secret'] = apiSecret; // a secret given by flag is not written down
  if (Object.keys(toKeep).length > 0) writeFileSync(file, JSON.stringify(toKeep) + '\n', { mode: 0o600 });
  return { apiKey, apiSecret };
}

/** Upserts the users of a JSON-lines file (`--seed`), 100 a request; a bad line stops the start, naming it. */
async function seedUsers(file: string, client: ServerClient): Promise<number> {
  let batch: UserInput[] = [];
  let n = 0;
  for await (const l of readIdLines(file, jsonUserLine, 64 * 1024)) {
    if (l.error !== undefined) throw usageError(`--seed ${JSON.stringify(file)}: ${l.error}`);
    batch.push(l.data as UserInput);
    n++;
    if (batch.length === 100) {
      await client.upsertUsers(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await client.upsertUsers(batch);
  return n;
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
    .option('--no-dashboard', 'do not serve the dashboard (it is on by default, on loopback hosts)')
    .option('--env-file <file>', 'write export-ready TOKENKIT_* lines to this file (mode 600): `. FILE` in a shell')
    // Node 20 reads `--env-file` anywhere on its command line as its own option (and stops when the
    // file does not exist yet), so on Node 20 the same flag is needed under another name.
    .option('--write-env <file>', 'the same as --env-file, for Node 20 (which takes --env-file for itself)')
    .option('--seed <file>', 'upsert the users of this JSON-lines file at start (an export of real ids, for a rehearsal)')
    .option(
      '--cors-origin <origin>',
      'let pages on this origin call the client routes from a browser, e.g. http://localhost:3000 (repeatable; "*" for any); admin routes never',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .addHelpText(
      'after',
      '\nExample:\n  npx tokenkit emulator --port 8787 --data .emulator.json --write-env .emulator.env --seed users.jsonl\n' +
        'Then, in another shell: . ./.emulator.env (or paste the printed export lines). With --data, the key and the\n' +
        'generated secret are kept next to the data file (FILE.credentials.json, mode 600), so a restart keeps them.',
    )
    .action(async (flags: Flags) => {
      // The dashboard is served on loopback only: on another host it stays off, and the banner says why.
      const dashboard = flags.dashboard && isLoopbackAddress(flags.host);
      let emulator: Awaited<ReturnType<typeof EmulatorModule.startEmulator>>;
      try {
        const { apiKey, apiSecret } = persistedCredentials(flags);
        emulator = await loadEmulator().startEmulator({
          port: flags.port,
          host: flags.host,
          dataFile: flags.data,
          apiKey,
          apiSecret,
          logger: flags.quiet ? undefined : (record) => io.out(formatLogLine(record)),
          dashboard,
          corsOrigins: flags.corsOrigin?.includes('*') ? '*' : flags.corsOrigin,
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const message =
          code === 'EADDRINUSE'
            ? `port ${flags.port} on ${flags.host} is in use (another emulator?): choose another with --port N, or --port 0 for a free one`
            : code === 'EADDRNOTAVAIL'
              ? `cannot listen on ${flags.host}: not an address of this machine (--host)`
              : err instanceof Error
                ? err.message
                : String(err);
        io.err(`tokenkit: ${message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const lines = [
        `export TOKENKIT_BASE_URL=${shellWord(emulator.url)}`,
        `export TOKENKIT_API_KEY=${shellWord(emulator.apiKey)}`,
        `export TOKENKIT_API_SECRET=${shellWord(emulator.apiSecret)}`,
      ];
      const envFile = flags.writeEnv ?? flags.envFile;
      if (envFile !== undefined) writeFileSync(envFile, lines.join('\n') + '\n', { mode: 0o600 });
      if (flags.seed !== undefined) {
        try {
          const n = await seedUsers(flags.seed, new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url }));
          io.out(`seeded ${n.toLocaleString('en-US')} users from ${flags.seed}\n`);
        } catch (err) {
          await emulator.close();
          io.err(`tokenkit: ${err instanceof Error ? err.message : String(err)}\n`);
          process.exitCode = err instanceof CliError ? err.exitCode : EXIT.failed;
          return;
        }
      }
      const dashboardLine = emulator.dashboardUrl
        ? `# dashboard: ${emulator.dashboardUrl}\n`
        : flags.dashboard
          ? `# dashboard: off (served on loopback only, and --host is ${flags.host})\n`
          : '# dashboard: off (--no-dashboard)\n';
      // The handlers go on before the banner: a script that sends SIGTERM as soon as it reads the
      // banner must find them (on a busy machine the process may pause between the two).
      const stopped = new Promise<void>((resolve) => {
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
      io.out(
        `tokenkit emulator listening on ${emulator.url}\n` +
          `${lines[0]}\n${lines[1]}\n` +
          // A secret the user gave is not echoed: it may be one they use elsewhere.
          (flags.apiSecret === undefined ? `${lines[2]}\n` : '# TOKENKIT_API_SECRET: the --api-secret given\n') +
          (envFile !== undefined ? `# the same lines are in ${envFile}: . ${shellWord(envFile)}\n` : '') +
          `# state: ${flags.data === undefined ? 'in memory' : flags.data}\n` +
          dashboardLine +
          'Stop with Ctrl-C.\n',
      );
      await stopped;
    });
  return program;
}
