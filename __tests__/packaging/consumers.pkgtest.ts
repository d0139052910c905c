// The built package as its users get it: `npm pack`, then the tarball installed (offline, from
// npm's cache) into an ESM, a CommonJS and a TypeScript consumer project, each run for real; and
// the tarball checked by publint and @arethetypeswrong/cli; and bundled with esbuild for the
// browser, workerd and Vercel's edge runtime, with no `node:` import in those bundles (the worker
// bundle then runs in workerd through miniflare). `npm run test:packaging`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { devBin, makeConsumer, pack, run } from './harness';

let work = '';
let tarball = '';
const consumers: Record<'esm' | 'cjs' | 'ts' | 'bundles', string> = { esm: '', cjs: '', ts: '', bundles: '' };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tokenkit-packaging-'));
  tarball = await pack(work);
  const [esm, cjs, ts, bundles] = await Promise.all([
    makeConsumer(work, tarball, { fixture: 'esm', type: 'module' }),
    makeConsumer(work, tarball, { fixture: 'cjs', type: 'commonjs', with: ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'] }),
    makeConsumer(work, tarball, { fixture: 'ts', type: 'commonjs', with: ['typescript', '@types/node'] }),
    makeConsumer(work, tarball, { fixture: 'bundles', type: 'module' }),
  ]);
  Object.assign(consumers, { esm, cjs, ts, bundles });
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built JS and its types, package.json, the README and the guides, nothing else', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball], work);
  const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  // The guides ship too: the CLI's help points at docs/cli.md in the installed package.
  const strays = files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f) && !/^docs\/[\w-]+\.md$/.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
  expect(files).toContain('docs/cli.md');
  expect(strays).toEqual([]);
  for (const entry of ['index', 'emulator/index', 'user-client/index', 'nest/index', 'fastify/index', 'cli/main']) {
    expect(files).toContain(`dist/${entry}.js`);
    if (entry !== 'cli/main') expect(files).toContain(`dist/${entry}.d.ts`);
  }
});

test('publint finds nothing, suggestions included', async () => {
  const { stdout } = await run(devBin('publint'), ['run', tarball, '--strict', '--level', 'suggestion'], work);
  expect(stdout).toMatch(/All good!/);
});

test('@arethetypeswrong/cli: every entry point resolves with types under node10, node16 (CJS and ESM) and bundler', async () => {
  // --no-definitely-typed: nothing is fetched from the registry.
  const { stdout } = await run(devBin('attw'), [tarball, '--no-definitely-typed', '--format', 'json'], work);
  const report = JSON.parse(stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
  expect(report.analysis.problems).toEqual([]);
  expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './client', './emulator', './fastify', './nest', './package.json']);
});

test('an ESM project imports every entry, mints, connects to the emulator, opens its dashboard, and shares the classes with require', async () => {
  const { stdout } = await run(process.execPath, ['index.js'], consumers.esm);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['mint+verify: ok', 'one copy of each class: ok', 'exports: ok', 'emulator: ok', 'dashboard: ok']);
});

test('a CommonJS project requires every entry, runs TokenkitModule in Nest, and shares the classes with import()', async () => {
  const { stdout } = await run(process.execPath, ['index.js'], consumers.cjs);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['mint+verify: ok', 'one copy of each class: ok', 'nest: ok', 'emulator: ok']);
});

test('a TypeScript project (nodenext, strict, lib check on) type-checks against the shipped types, builds and runs as ESM and CJS', async () => {
  await run(process.execPath, [join(consumers.ts, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], consumers.ts);
  expect((await run(process.execPath, ['out/esm.mjs'], consumers.ts)).stdout.trim()).toBe('ts esm: ok');
  expect((await run(process.execPath, ['out/cjs.cjs'], consumers.ts)).stdout.trim()).toBe('ts cjs: ok');
});

test('npx tokenkit --help runs the installed bin', async () => {
  const { stdout } = await run('npx', ['--no', '--', 'tokenkit', '--help'], consumers.esm);
  expect(stdout).toMatch(/Usage: tokenkit/);
});

/** The bundlers' targets: esbuild's platform and the export conditions wrangler, Vercel and browsers' bundlers use. */
const BUNDLE_TARGETS = [
  { name: 'browser: tokenkit/client', entry: 'browser.mjs', platform: 'browser', conditions: ['browser'] },
  { name: 'browser: tokenkit', entry: 'worker.mjs', platform: 'browser', conditions: ['browser'] },
  { name: 'workerd: tokenkit', entry: 'worker.mjs', platform: 'neutral', conditions: ['workerd', 'worker', 'browser'] },
  { name: 'Vercel edge: tokenkit', entry: 'worker.mjs', platform: 'neutral', conditions: ['edge-light', 'worker', 'browser'] },
] as const;

test.each(BUNDLE_TARGETS)('esbuild bundles the tarball for $name with no node: import', async ({ entry, platform, conditions }) => {
  const result = await build({
    absWorkingDir: consumers.bundles,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    conditions: [...conditions],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    // No comments in the text checked below (doc comments show `import ... from 'node:util'` examples).
    minifyWhitespace: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  expect(imports.filter((p) => p.startsWith('node:') || /^(crypto|util|http|https|net|stream|buffer|events|fs|path|os)$/.test(p))).toEqual([]);
  const text = result.outputFiles[0]?.text ?? '';
  expect(text).not.toMatch(/require\(["']node:|from ?["']node:/);
  expect(Object.keys(result.metafile.inputs).filter((i) => /node_modules\/(undici|jsonwebtoken)\//.test(i))).toEqual([]);
});

test('the workerd bundle of the tarball runs in workerd (miniflare, no nodejs_compat): a token from the provider, verified', async () => {
  const out = join(consumers.bundles, 'worker.bundle.mjs');
  await build({ absWorkingDir: consumers.bundles, entryPoints: ['worker.mjs'], outfile: out, bundle: true, format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['browser', 'module', 'main'], logLevel: 'silent' });
  const mf = new Miniflare({ modules: true, script: readFileSync(out, 'utf8'), compatibilityDate: '2025-01-01', bindings: { TOKENKIT_API_KEY: 'k', TOKENKIT_API_SECRET: 'packaging-worker-secret-0123456789' } });
  try {
    const res = await mf.dispatchFetch('http://worker.test/token', { headers: { 'x-user': 'alice' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token, user_id } = (await res.json()) as { token: string; user_id: string };
    expect(user_id).toBe('alice');
    const verified = await mf.dispatchFetch('http://worker.test/verify', { headers: { 'x-token': token } });
    expect(await verified.json()).toEqual({ user_id: 'alice' });
    const refused = await mf.dispatchFetch('http://worker.test/verify', { headers: { 'x-token': token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'TokenError' });
  } finally {
    await mf.dispose();
  }
});
