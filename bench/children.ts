// Child processes for the benches that must not share an event loop (or a heap) with what they
// measure: the emulator, a bare node:http server, a load generator, a library bulk run (and its
// bare-fetch floor), the
// request-cost client, the CLI.
// Each child is plain JavaScript bundled once per bench run by esbuild (as the tests' CLI is), so
// that no TypeScript loader sits in its CPU time or its RSS. A child prints one JSON line per
// message on stdout; `READY {...}` once it is listening or has finished.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from '../__tests__/support/build-cli';
import type { Usage } from './usage';

export { type Usage, usageSince } from './usage';

export const ROOT = path.resolve(__dirname, '..');
/** Two levels below the root, as dist/cli/main.js is, so that the CLI reads the same package.json. */
const OUT = path.join(ROOT, '.tmp', 'bench');

/** The entry points, by name: `bench/proc/<name>.ts`, and `cli` for src/cli/main.ts. */
export type ChildName = 'emulator' | 'bare-server' | 'load' | 'bulk' | 'bulk-fetch' | 'request-client' | 'cli' | 'usage-preload';

let built = false;

/** Bundles every child (about a second, once per process). */
export function buildChildren(): void {
  if (built) return;
  mkdirSync(OUT, { recursive: true });
  buildSync({
    entryPoints: {
      emulator: path.join(__dirname, 'proc', 'emulator.ts'),
      'bare-server': path.join(__dirname, 'proc', 'bare-server.ts'),
      load: path.join(__dirname, 'proc', 'load.ts'),
      bulk: path.join(__dirname, 'proc', 'bulk.ts'),
      'bulk-fetch': path.join(__dirname, 'proc', 'bulk-fetch.ts'),
      'request-client': path.join(__dirname, 'proc', 'request-client.ts'),
      'usage-preload': path.join(__dirname, 'proc', 'usage-preload.ts'),
      cli: path.join(ROOT, 'src', 'cli', 'main.ts'),
    },
    outdir: OUT,
    ...NODE_BUNDLE,
  });
  built = true;
}

/** The bundled file of a child. */
export function childFile(name: ChildName): string {
  buildChildren();
  return path.join(OUT, `${name}.js`);
}

/** A running child: its lines of JSON, one at a time, and its exit. */
export interface Child {
  proc: ChildProcess;
  /** The next JSON line the child prints (rejects if it exits first). */
  next<T = Record<string, unknown>>(): Promise<T>;
  /** Sends one JSON line to the child's stdin. */
  send(message: unknown): void;
  /** Resolves with the exit code; rejects after `ms`. */
  exited(ms?: number): Promise<number | null>;
  kill(): void;
  /** What `--require usage-preload.js` reported at exit (whole process), once it has exited. */
  usage(): Usage | undefined;
}

/** Starts `node <child> <args>`, with `nodeArgs` (e.g. `--expose-gc`) before it. */
export function startChild(name: ChildName, args: readonly string[] = [], options: { nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), childFile(name), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  let stderr = '';
  let usage: Usage | undefined;
  let exit: number | null | undefined;
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
    const m = /BENCH_USAGE (\{.*\})/.exec(stderr);
    if (m?.[1]) usage = JSON.parse(m[1]) as Usage;
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(line);
    else lines.push(line);
  });
  const exitPromise = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      exit = code;
      for (const w of waiting.splice(0)) w.reject(new Error(`bench child ${name} exited with ${code} before answering:\n${stderr}`));
      resolve(code);
    }),
  );
  return {
    proc,
    async next<T>(): Promise<T> {
      const line =
        lines.shift() ??
        (exit !== undefined
          ? Promise.reject(new Error(`bench child ${name} exited with ${exit}:\n${stderr}`))
          : new Promise<string>((resolve, reject) => waiting.push({ resolve, reject })));
      const text = await line;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(`bench child ${name} printed a line that is not JSON: ${text}\n${stderr}`);
      }
    },
    send(message) {
      proc.stdin!.write(JSON.stringify(message) + '\n');
    },
    exited(ms = 600_000) {
      return Promise.race([
        exitPromise,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`bench child ${name} did not exit within ${ms} ms`)), ms).unref()),
      ]);
    },
    kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
    usage: () => usage,
  };
}

/** Target rows: met or not, with the bound. */
export function verdict(ok: boolean, text: string): string {
  return `${ok ? 'met' : 'NOT met'}: ${text}`;
}

export const MB = 2 ** 20;
