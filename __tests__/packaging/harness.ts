// Helpers of the packaging tests: run a command, pack the project, make consumer projects that
// install the tarball with `npm ci --offline` (no network: the cache that `npm ci` filled here).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

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

/** One entry of a lockfile's `packages` (lockfile v3). */
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Where `name` resolves from the package at lock path `from` ('' for the root), Node's way. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

/**
 * The lock paths of this project's lockfile that `roots` (resolved from the lock path `from`)
 * need: their dependencies, optional dependencies and required peers, transitively.
 */
function closure(packages: Record<string, LockEntry>, roots: ReadonlyArray<{ from: string; name: string }>): Set<string> {
  const found = new Set<string>();
  const queue = [...roots];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const path = locate(packages, next.from, next.name);
    if (path === undefined) throw new Error(`${next.name} (needed by ${next.from || 'the consumer'}) is not in this project's package-lock.json`);
    if (found.has(path)) continue;
    found.add(path);
    const entry = packages[path] as LockEntry;
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}).filter((n) => locate(packages, path, n) !== undefined),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n) && locate(packages, path, n) !== undefined),
    ];
    for (const name of names) queue.push({ from: path, name });
  }
  return found;
}

/**
 * A lockfile for a consumer of the tarball: tokenkit from the tarball (its dependencies as its
 * package.json declares them), every other package at the version this project's lockfile pins,
 * so that `npm ci --offline` takes everything from the cache that `npm ci` filled here. (A plain
 * `npm install` would resolve version ranges afresh, and could pick a version published since,
 * which is not in the cache.)
 */
function consumerLock(dir: string, tarball: string, name: string, extras: readonly string[]): { lock: object; dependencies: Record<string, string> } {
  const root = readJson<Lockfile>(join(ROOT, 'package-lock.json'));
  const pkg = readJson<LockEntry & { license?: string; bin?: unknown; engines?: unknown }>(join(ROOT, 'package.json'));
  const spec = `file:${relative(dir, tarball).split(sep).join('/')}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const dependencies: Record<string, string> = { tokenkit: spec };
  for (const extra of extras) dependencies[extra] = (root.packages[`node_modules/${extra}`] as LockEntry).version as string;

  const paths = closure(root.packages, [
    ...Object.keys(pkg.dependencies ?? {}).map((n) => ({ from: 'node_modules/tokenkit', name: n })),
    ...extras.map((n) => ({ from: '', name: n })),
  ]);
  const packages: Record<string, LockEntry> = {
    '': { name, version: '1.0.0', dependencies },
    'node_modules/tokenkit': {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
    },
  };
  for (const path of [...paths].sort()) {
    // Dev-only in this project, a production dependency of the consumer.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = root.packages[path] as LockEntry;
    packages[path] = entry;
  }
  return { lock: { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, dependencies };
}

export interface ConsumerSpec {
  /** The folder under `consumers/` whose files are copied into the project. */
  fixture: string;
  /** The consumer's package.json `type`. */
  type: 'module' | 'commonjs';
  /** Packages installed next to the tarball, at the versions this project's lockfile pins. */
  with?: string[];
}

/** Creates a consumer project in `parent` and installs the tarball in it with `npm ci --offline`; returns its folder. */
export async function makeConsumer(parent: string, tarball: string, spec: ConsumerSpec): Promise<string> {
  const name = `consumer-${spec.fixture}`;
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  const { lock, dependencies } = consumerLock(dir, tarball, name, spec.with ?? []);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: spec.type, dependencies }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  cpSync(join(__dirname, 'consumers', spec.fixture), dir, { recursive: true });
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel', 'warn'], dir, 120_000);
  return dir;
}
