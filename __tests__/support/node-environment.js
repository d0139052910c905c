// jest's node environment, plus one thing a test file's realm lacks that a Node process has:
// undici's global dispatcher. jest runs each test file in a realm of its own, into which it copies
// Node's `fetch`, but not the dispatcher that `fetch` sends through, which undici keeps on the
// worker's own globalThis (`Symbol.for('undici.globalDispatcher.1')`). Without it, tokenkit's
// transport sees no dispatcher and ends every attempt through an AbortController, as it does on a
// fetch that is not undici's; with it, the tests run the path a Node process runs (the
// attempt's timer ends the request through the dispatcher: src/http/dispatch-abort.ts). The slot
// reads the worker's value at each access (it is set by the worker's first fetch), and stays
// writable: undici's setGlobalDispatcher, called in a test file, replaces it for that file.
//
// And one thing a worker does slowly: exit. When jest ends its workers, each has closed every
// server, socket, child process and timer its files opened (only the IPC channel and the stdio
// pipes remain) and emits 'exit' within milliseconds; but Node then disposes of the whole heap
// before the process goes: 300 ms and more for the 0.5-1.3 GB a worker holds by the end of a run
// (most of it garbage), on top of the time the kernel takes to free it; and jest kills a worker
// that has not exited in time (jest.config.ts: workerGracefulExitTimeout), printing "A worker
// process has failed to exit gracefully". So in a worker the last 'exit' listener ends the process
// at once (process.exit inside 'exit' skips the teardown): the other 'exit' listeners have run,
// nothing asynchronous runs after 'exit' in any case, and the operating system frees the memory.
// Plain JavaScript: jest loads the environment before any transform.
const { TestEnvironment } = require('jest-environment-node');

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** Whether this process is one of jest's workers (not jest itself, as under --runInBand). */
const IN_WORKER = /jest-worker[\\/]build[\\/]processChild\.js$/.test(require.main?.filename ?? '');

/** The worker's last 'exit' listener: the process ends without tearing down its heap. */
function exitNow(code) {
  process.exit(code);
}

class NodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.defineProperty(this.global, GLOBAL_DISPATCHER, {
      get: () => globalThis[GLOBAL_DISPATCHER],
      configurable: true,
      enumerable: false,
    });
  }

  async teardown() {
    await super.teardown();
    // Added again after each file, so that it stays the last listener (a file may add its own).
    if (IN_WORKER) {
      process.removeListener('exit', exitNow);
      process.on('exit', exitNow);
    }
  }
}

module.exports = NodeEnvironment;
