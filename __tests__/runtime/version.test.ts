// The version is generated into src/version.ts (scripts/write-version.js, run by prebuild and by
// `npm version`): it must match package.json, so a release never reports a stale version.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../src/version';

const root = join(__dirname, '..', '..');

test('src/version.ts holds the version of package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
  expect(VERSION).toBe(pkg.version);
  expect(pkg.scripts['prebuild']).toContain('scripts/write-version.js');
});

test('write-version --check agrees (it is what prebuild writes)', () => {
  expect(() => execFileSync(process.execPath, [join(root, 'scripts', 'write-version.js'), '--check'], { stdio: 'pipe' })).not.toThrow();
});
