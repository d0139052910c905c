// jest's node environment, plus one thing a test file's realm lacks that a Node process has:
// undici's global dispatcher. jest runs each test file in a realm of its own, into which it copies
// Node's `fetch`, but not the dispatcher that `fetch` sends through, which undici keeps on the
// worker's own globalThis (`Symbol.for('undici.globalDispatcher.1')`). Without it, tokenkit's
// transport sees no dispatcher and ends every attempt through an AbortController, as it does on a
// fetch that is not undici's; with it, the tests run the path a Node process runs (the
// attempt's timer ends the request through the dispatcher: src/http/dispatch-abort.ts). The slot
// reads the worker's value at each access (it is set by the worker's first fetch), and stays
// writable: undici's setGlobalDispatcher, called in a test file, replaces it for that file.
// Plain JavaScript: jest loads the environment before any transform.
const { TestEnvironment } = require('jest-environment-node');

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

class NodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.defineProperty(this.global, GLOBAL_DISPATCHER, {
      get: () => globalThis[GLOBAL_DISPATCHER],
      configurable: true,
      enumerable: false,
    });
  }
}

module.exports = NodeEnvironment;
