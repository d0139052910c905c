// jest's globalSetup: builds the CLI once per run, so that every test that starts `tokenkit`
// spawns plain `node` on a JavaScript file instead of compiling the TypeScript sources through tsx
// on each spawn (about 0.6 s of CPU a process). esbuild bundles src/cli/main.ts and the packages it
// uses (zod, commander) into CLI_BUNDLE, one file, which cli-launcher.js (CLI_MAIN) starts with
// V8's code cache; one start here (`--help`) writes that cache before any test starts the CLI.
// The bundle sits two levels below the repository root, as dist/cli/main.js does, so that the
// version read from package.json is the same. Written to a temporary name and renamed, so that two
// jest runs at once never see half a file.
// A run whose bundle is up to date builds nothing: next to the bundle, CLI_INPUTS records every file
// esbuild read to make it (the sources and the bundled packages, by its metafile) with a hash of
// each, the build's options and esbuild's version, and the bundle's own hash; when they all still
// hold and a code cache exists, the bundle is the one a build would write (a file the CLI newly
// imports is imported by one of them, which then hashes differently). That takes about a second
// (the build and the start that writes the cache) off the start of every run but the first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BuildOptions, buildSync, version as esbuildVersion } from 'esbuild';
import { CLI_BUNDLE, CLI_MAIN, ROOT } from './cli-bundle';

/** How sources become one plain-JavaScript file for Node 20 (the bench's children are built the same way). */
export const NODE_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
};

/** What the bundle was built from: each input file (relative to ROOT) with its hash, the build, and the bundle's hash. */
const CLI_INPUTS = `${CLI_BUNDLE}.inputs.json`;

interface BundleInputs {
  /** esbuild's version and the build's options. */
  build: string;
  files: Record<string, string>;
  bundle: string;
}

const CLI_BUILD: BuildOptions = {
  entryPoints: ['src/cli/main.ts'],
  absWorkingDir: ROOT,
  ...NODE_BUNDLE,
  // The packages too: one file for the code cache to cover (the same code node_modules holds).
  packages: 'bundle',
  // But undici, which the CLI requires only for a proxy (src/runtime/node.ts): it was over 40% of
  // the bundle, read and hashed on every start, and comes from node_modules where a run needs it.
  external: ['undici'],
};

export default function buildCli(): void {
  if (upToDate()) return;
  const partial = `${CLI_BUNDLE}.${process.pid}.tmp`;
  const { metafile } = buildSync({ ...CLI_BUILD, outfile: partial, metafile: true });
  // A new bundle's code cache has a new name (cli-launcher.js keys it by a hash of the text): the
  // caches of earlier bundles would never be read again, so they go (0.6 MB each).
  if (!sameText(partial, CLI_BUNDLE)) {
    for (const name of readdirSync(dirname(CLI_BUNDLE))) if (name.endsWith('.v8cache')) rmSync(join(dirname(CLI_BUNDLE), name), { force: true });
  }
  renameSync(partial, CLI_BUNDLE);
  const warm = spawnSync(process.execPath, [CLI_MAIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
  if (warm.status !== 0) throw new Error(`the CLI bundle did not start (exit ${warm.status}):\n${warm.stderr}`);
  const inputs: BundleInputs = { build: buildKey(), files: {}, bundle: hashOf(CLI_BUNDLE) as string };
  for (const file of Object.keys(metafile.inputs)) inputs.files[file] = hashOf(join(ROOT, file)) as string;
  writeFileSync(`${CLI_INPUTS}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(`${CLI_INPUTS}.${process.pid}.tmp`, CLI_INPUTS);
}

function buildKey(): string {
  return JSON.stringify({ esbuild: esbuildVersion, options: CLI_BUILD });
}

/** Whether the bundle and a code cache are there, built by this build from files that still hash the same. */
function upToDate(): boolean {
  let recorded: BundleInputs;
  try {
    recorded = JSON.parse(readFileSync(CLI_INPUTS, 'utf8')) as BundleInputs;
    // A new bundle's build removes the older caches: a cache here is this bundle's (cli-launcher.js).
    if (!readdirSync(dirname(CLI_BUNDLE)).some((name) => name.endsWith('.v8cache'))) return false;
  } catch {
    return false; // never built here
  }
  if (recorded.build !== buildKey() || Object.keys(recorded.files ?? {}).length === 0) return false;
  if (hashOf(CLI_BUNDLE) !== recorded.bundle) return false;
  return Object.entries(recorded.files).every(([file, hash]) => hashOf(join(ROOT, file)) === hash);
}

/** A file's SHA-256 (hex), or undefined where it cannot be read. */
function hashOf(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false; // no earlier bundle
  }
}
