// Starts the CLI bundle (.tmp/cli/main.js, built by jest's globalSetup) as `node main.js` would,
// with V8's code cache: the first start compiles the bundle and saves the compiled code next to
// it, keyed by a hash of the bundle's text; every later start reads it back instead of compiling
// again (about a third of a CLI start's CPU, and the CLI tests start the CLI over a hundred times).
// Nothing else differs: the bundle is the main module (`require.main === module`), with its own
// __filename and __dirname; the arguments, stdio, signals and exit codes are the process's own.
// Plain JavaScript: node runs it directly.
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const file = join(__dirname, '..', '..', '.tmp', 'cli', 'main.js');
const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
const cacheFile = `${file}.${createHash('sha256').update(source).digest('hex').slice(0, 16)}.v8cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const main = new Module(file, null);
main.filename = file;
main.paths = Module._nodeModulePaths(join(file, '..'));
const mainRequire = Module.createRequire(file);
mainRequire.main = main;
process.mainModule = main;
if (cachedData === undefined || script.cachedDataRejected) {
  // Saved as the process exits (so that the functions the run compiled are in the cache), to a
  // temporary name renamed into place: a start at the same time never reads half a file.
  process.once('exit', () => {
    try {
      const partial = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
    } catch {
      // No cache this time: the next start compiles again.
    }
  });
}
script.runInThisContext().call(main.exports, main.exports, mainRequire, main, file, join(file, '..'));
main.loaded = true;
