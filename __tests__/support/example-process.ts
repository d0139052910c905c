// Example backends as their own processes, started as a reader (or a deploy) starts them: on
// 127.0.0.1 at a free port, configured by environment variables only, and called over HTTP. An
// example can run through tsx (as its README says) or as one JavaScript file bundled by esbuild
// from the sources (no TypeScript loader at start-up: a few hundred ms instead of seconds, for tests
// that start and restart several backends).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from './build-cli';
import { ROOT } from './cli-bundle';

/** How long a backend may take to print its URL. */
const STARTUP_LIMIT_MS = 25_000;

/** A running example backend. */
export interface ExampleProcess {
  /** `http://127.0.0.1:PORT`, as the example printed it. */
  url: string;
  proc: ChildProcess;
  /** SIGTERM, and resolves once the process has exited (SIGKILL after 5 s). */
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();

/** The command that runs an example's entry script through tsx, as its README does. */
export function tsxCommand(script: string): string[] {
  return [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, script)];
}

/**
 * Bundles an example's entry script (its `tokenkit` imports resolved to the sources, by tsconfig's
 * paths) into .tmp/examples, and answers the command that runs it with plain node.
 */
export function bundledCommand(script: string): string[] {
  const dir = join(ROOT, '.tmp', 'examples');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${script.replace(/[/\\]/g, '-').replace(/\.ts$/, '')}.js`);
  const partial = `${out}.${process.pid}.tmp`;
  buildSync({ entryPoints: [join(ROOT, script)], outfile: partial, ...NODE_BUNDLE });
  renameSync(partial, out);
  return [out];
}

/** Sends `signal` to the process group `proc` leads (ignored where it is gone). */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // the group has exited already
  }
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((resolve) => proc.once('exit', () => resolve()));
}

/**
 * Starts `node <command>` with `env` (and PATH, nothing else of this process's environment) and
 * resolves once it prints `listening on http://127.0.0.1:PORT`; rejects when it exits first or
 * takes too long (and kills it).
 */
export function startExample(command: string[], env: Record<string, string>): Promise<ExampleProcess> {
  const proc = spawn(process.execPath, command, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a signal reaches what it starts too (tsx runs the script in a
    // child process: killing tsx alone would leave the script running, holding our pipes).
    detached: true,
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const stop = async (): Promise<void> => {
    signalGroup(proc, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), 5000);
    await exited(proc);
    clearTimeout(timer);
  };
  const name = basename(command[command.length - 1] ?? 'example');
  return new Promise<ExampleProcess>((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${name} ${why}: ${err}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${STARTUP_LIMIT_MS} ms`), STARTUP_LIMIT_MS);
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, stop });
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.once('exit', (code) => fail(`exited with ${code}`));
  });
}

/** Kills every example process still running (for afterEach/afterAll, whatever the test did). */
export async function stopAllExamples(): Promise<void> {
  const left = [...running];
  for (const proc of left) signalGroup(proc, 'SIGKILL');
  await Promise.all(left.map(exited));
}
