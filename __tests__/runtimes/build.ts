// Builds each runtime's host (hosts/*.ts + scenario.ts) into one file with esbuild, resolving
// `tokenkit` to the BUILT package (dist/, through its package.json exports and imports) under
// that runtime's export conditions, as wrangler, Vercel, Bun and Deno resolve it. The project's
// tsconfig paths (which map `tokenkit` to src/) are not used here.
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

export const ROOT = join(__dirname, '..', '..');
export const WORK = join(ROOT, '.tmp', 'runtimes');
const NODE_PATH = join(WORK, 'node_modules');

/** The runtimes of the matrix and how each one's bundle is made. */
export const TARGETS = {
  node: { host: 'node.ts', out: 'node.cjs', platform: 'node', format: 'cjs', conditions: [] },
  bun: { host: 'bun.ts', out: 'bun.mjs', platform: 'node', format: 'esm', conditions: ['bun'] },
  deno: { host: 'deno.ts', out: 'deno.mjs', platform: 'node', format: 'esm', conditions: ['deno'] },
  // wrangler's conditions for a Worker; the platform is not node: a `node:` import fails the build.
  workerd: { host: 'worker.ts', out: 'worker.mjs', platform: 'browser', format: 'esm', conditions: ['workerd', 'worker', 'browser'] },
  // Vercel's conditions for an edge function.
  edge: { host: 'edge.ts', out: 'edge.js', platform: 'browser', format: 'iife', conditions: ['edge-light', 'worker', 'browser'] },
} as const satisfies Record<string, { host: string; out: string; platform: BuildOptions['platform']; format: BuildOptions['format']; conditions: string[] }>;

export type Target = keyof typeof TARGETS;

/** `tokenkit` as an installed package would be: node_modules/tokenkit → the project (its dist/). */
function linkPackage(): void {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run test:runtimes does)');
  mkdirSync(NODE_PATH, { recursive: true });
  const link = join(NODE_PATH, 'tokenkit');
  rmSync(link, { force: true, recursive: true });
  symlinkSync(ROOT, link, 'dir');
  writeFileSync(join(WORK, 'tsconfig.json'), '{}\n');
}

/**
 * Bundles one runtime's host (or `entry`, e.g. an example's server, written as `<name>-<out>`);
 * returns the file's path and the `node:` modules it imports.
 */
export async function bundle(target: Target, entry?: { path: string; name: string }): Promise<{ file: string; nodeImports: string[] }> {
  linkPackage();
  const t = TARGETS[target];
  const file = join(WORK, entry ? `${entry.name}-${t.out}` : t.out);
  const result = await build({
    entryPoints: [entry?.path ?? join(__dirname, 'hosts', t.host)],
    outfile: file,
    bundle: true,
    platform: t.platform,
    format: t.format,
    conditions: [...t.conditions],
    target: 'es2022',
    nodePaths: [NODE_PATH],
    tsconfig: join(WORK, 'tsconfig.json'),
    metafile: true,
    // dist/ is CommonJS: in an ES module bundle for Bun and Deno, its require() of node: modules
    // needs a real require.
    banner: t.platform === 'node' && t.format === 'esm' ? { js: "import { createRequire as __tokenkitRequire } from 'node:module';\nconst require = __tokenkitRequire(import.meta.url);" } : {},
    logLevel: 'silent',
  });
  const nodeImports = new Set<string>();
  for (const output of Object.values(result.metafile?.outputs ?? {})) {
    for (const imp of output.imports) if (imp.path.startsWith('node:') || imp.external) nodeImports.add(imp.path);
  }
  return { file, nodeImports: [...nodeImports].sort() };
}
