// Helpers of the packaging tests: run a command, pack the project, make consumer projects that
// install the tarball from npm's cache (no network: `--offline`).
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child process. The `npm_*` variables that `npm run` sets for this project
 * (its package, its lifecycle, its local prefix) are dropped, so that an `npm` started in a
 * consumer project sees that project only; the cache and user config are kept.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase())) env[k] = v;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' };
}

/** Runs a command; rejects with its exit code and the tail of its output when it fails. */
export function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { cwd, env: childEnv(), timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const tail = (s: string): string => s.slice(-6000);
        reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`));
      } else {
        resolveRun({ stdout, stderr });
      }
    });
  });
}

/** A dev tool installed in this project (`publint`, `attw`, `tsc`), by path: never fetched. */
export function devBin(name: string): string {
  return join(BIN, name);
}

/** `npm pack` of the project into `dir` (its `prepack` empties dist/ and builds); the tarball's path. */
export async function pack(dir: string): Promise<string> {
  await run('npm', ['pack', '--pack-destination', dir, '--loglevel', 'warn'], ROOT, 180_000);
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`expected one tarball in ${dir}, found: ${tarballs.join(', ') || 'none'}`);
  return join(dir, tarballs[0] as string);
}

/** `name@version` of a package installed here, so that the consumer's offline install finds it in the cache. */
export function installedSpec(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${pkg.version}`;
}

export interface ConsumerSpec {
  /** The folder under `consumers/` whose files are copied into the project. */
  fixture: string;
  /** The consumer's package.json `type`. */
  type: 'module' | 'commonjs';
  /** Packages installed next to the tarball (their installed versions). */
  with?: string[];
}

/** Creates a consumer project in `parent`, installs the tarball in it offline, returns its folder. */
export async function makeConsumer(parent: string, tarball: string, spec: ConsumerSpec): Promise<string> {
  const dir = join(parent, `consumer-${spec.fixture}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${spec.fixture}`, version: '1.0.0', private: true, type: spec.type }, null, 2));
  cpSync(join(__dirname, 'consumers', spec.fixture), dir, { recursive: true });
  const extras = (spec.with ?? []).map(installedSpec);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel', 'warn', tarball, ...extras], dir, 120_000);
  return dir;
}
