// jest's globalSetup: builds the CLI once per run, so that every test that starts `tokenkit`
// spawns plain `node` on a JavaScript file instead of compiling the TypeScript sources through tsx
// on each spawn (about 0.6 s of CPU a process). esbuild bundles src/cli/main.ts and the packages it
// uses (zod, commander) into CLI_BUNDLE, one file, which cli-launcher.js (CLI_MAIN) starts with
// V8's code cache; one start here (`--help`) writes that cache before any test starts the CLI.
// The bundle sits two levels below the repository root, as dist/cli/main.js does, so that the
// version read from package.json is the same. Written to a temporary name and renamed, so that two
// jest runs at once never see half a file.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BuildOptions, buildSync } from 'esbuild';
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

export default function buildCli(): void {
  const partial = `${CLI_BUNDLE}.${process.pid}.tmp`;
  buildSync({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: partial,
    ...NODE_BUNDLE,
    // The packages too: one file for the code cache to cover (the same code node_modules holds).
    packages: 'bundle',
    // But undici, which the CLI requires only for a proxy (src/runtime/node.ts): it was over 40% of
    // the bundle, read and hashed on every start, and comes from node_modules where a run needs it.
    external: ['undici'],
  });
  // A new bundle's code cache has a new name (cli-launcher.js keys it by a hash of the text): the
  // caches of earlier bundles would never be read again, so they go (0.6 MB each).
  if (!sameText(partial, CLI_BUNDLE)) {
    for (const name of readdirSync(dirname(CLI_BUNDLE))) if (name.endsWith('.v8cache')) rmSync(join(dirname(CLI_BUNDLE), name), { force: true });
  }
  renameSync(partial, CLI_BUNDLE);
  const warm = spawnSync(process.execPath, [CLI_MAIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
  if (warm.status !== 0) throw new Error(`the CLI bundle did not start (exit ${warm.status}):\n${warm.stderr}`);
}

function sameText(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false; // no earlier bundle
  }
}
