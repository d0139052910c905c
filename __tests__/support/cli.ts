import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { CLI_MAIN, ROOT } from './cli-bundle';

/** The repository root: the CLI runs from here. */
export { ROOT };

/** What a CLI run ended with. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI run: none of the caller's TOKENKIT_* variables, plus `env`. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TOKENKIT_') && k !== 'NODE_OPTIONS') base[k] = v;
  return { ...base, ...env };
}

/** Starts `tokenkit <args>` as a subprocess: node on the CLI built from src/cli by jest's globalSetup (through cli-launcher.js). */
export function startCli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    cwd: ROOT,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return child;
}

/** Collects a started CLI's output until it exits (bounded: killed after `timeoutMs`). */
export function finished(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the CLI did not exit within ${timeoutMs} ms; stderr so far:\n${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `tokenkit <args>` to its end. */
export function runCli(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return finished(startCli(args, options), options.timeoutMs);
}

/** The environment that points the CLI at an emulator. */
export function emulatorEnv(emulator: Emulator): Record<string, string> {
  return { TOKENKIT_BASE_URL: emulator.url, TOKENKIT_API_KEY: emulator.apiKey, TOKENKIT_API_SECRET: emulator.apiSecret };
}


/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tokenkit-cli-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `u0` .. `u{n-1}` (with `prefix`), one per line, to a file. */
export function writeIds(path: string, n: number, prefix = 'u'): string[] {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  writeFileSync(path, ids.join('\n') + '\n');
  return ids;
}

/** Creates the users through the emulator's API, 100 per request, `concurrency` requests at once. */
export async function createUsersInBatches(client: ServerClient, ids: string[], concurrency = 8): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] as string[];
        await client.upsertUsers(batch.map((id) => ({ id })));
      }
    }),
  );
}

/** Parses a JSON-lines file's text. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A JWT-shaped string anywhere in the text (a whole token printed). */
export const WHOLE_JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{20,}/;

/** Resolves once the run's progress lines show at least `done` ids done. */
export function whenDone(child: ChildProcess, done: number): Promise<void> {
  return new Promise((resolve) => {
    let buffer = '';
    child.stderr?.on('data', (d: Buffer) => {
      buffer += d.toString('utf8');
      const counts = [...buffer.matchAll(/([\d,]+) done/g)].map((m) => Number((m[1] as string).replace(/,/g, '')));
      if (counts.some((c) => c >= done)) resolve();
      buffer = buffer.slice(-200);
    });
  });
}
