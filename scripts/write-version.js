// Writes src/version.ts from package.json, so the built code carries its version as a constant and
// never reads package.json at run time (no __dirname, no fs: it works bundled and on edge runtimes).
// Run by `prebuild` and by `npm version`; __tests__/runtime/version.test.ts fails if the two differ.
// `--check` only compares, exiting 1 on a difference.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = join(root, 'src', 'version.ts');
const text =
  '// Written by scripts/write-version.js from package.json (prebuild, npm version): do not edit.\n' +
  '/** tokenkit\'s version, as in its package.json. */\n' +
  `export const VERSION = '${version}';\n`;

let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {
  // not written yet
}
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`src/version.ts is not ${version}: run node scripts/write-version.js`);
    process.exit(1);
  }
} else if (current !== text) {
  writeFileSync(target, text);
}
