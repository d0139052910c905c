// The built package as its users get it: `npm pack`, then the tarball installed (offline, from
// npm's cache) into an ESM, a CommonJS and a TypeScript consumer project, each run for real; and
// the tarball checked by publint and @arethetypeswrong/cli. `npm run test:packaging`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devBin, makeConsumer, pack, run } from './harness';

let work = '';
let tarball = '';
const consumers: Record<'esm' | 'cjs' | 'ts', string> = { esm: '', cjs: '', ts: '' };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tokenkit-packaging-'));
  tarball = await pack(work);
  const [esm, cjs, ts] = await Promise.all([
    makeConsumer(work, tarball, { fixture: 'esm', type: 'module' }),
    makeConsumer(work, tarball, { fixture: 'cjs', type: 'commonjs', with: ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'] }),
    makeConsumer(work, tarball, { fixture: 'ts', type: 'commonjs', with: ['typescript', '@types/node'] }),
  ]);
  Object.assign(consumers, { esm, cjs, ts });
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built JS and its types, package.json, the README and the guides, nothing else', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball], work);
  const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  // The guides ship too (issue 12): the CLI's help points at docs/cli.md in the installed package.
  const strays = files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f) && !/^docs\/[\w-]+\.md$/.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
  expect(files).toContain('docs/cli.md');
  expect(strays).toEqual([]);
  for (const entry of ['index', 'emulator/index', 'user-client/index', 'nest/index', 'cli/main']) {
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
  expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './client', './emulator', './nest', './package.json']);
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
