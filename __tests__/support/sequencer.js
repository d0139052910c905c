// jest's testSequencer: the order test files start in. With timings from an earlier run (jest's
// cache), jest's own order: failed first, then slowest first. Without any (a fresh clone, a new
// cache directory), jest falls back to file size, which put the longest suites last and left one
// worker running them alone at the end of the run. Here the suites known to be the longest start
// first instead, in this order; the others follow by file size, as in jest. Plain JavaScript: jest
// loads this file before any transform is set up.
const Sequencer = require('@jest/test-sequencer').default;

/** The longest suites, longest first, by a full run (seconds alone and in a full run, on a shared 2-core machine, for the record). */
const LONGEST_FIRST = [
  'cli/cli-big-run.test.ts', // ~22 s alone (46 s in a full run): 100,000 ids revoked and restored by the CLI
  'admin/exact-revocation.test.ts', // ~22 s alone (41 s in a full run): 8 paths x 1,000 rounds on the real clock
  'cli/cli-migration.test.ts',
  'cli/cli-usage.test.ts',
  'docs/snippets.test.ts',
  'cli/cli-issue.test.ts',
  'cli/cli-token.test.ts',
  'cli/cli-secret.test.ts',
  'emulator/load.test.ts',
  'hardening/faults-soak.test.ts',
  'cli/emulator-command.test.ts',
  // 8-10 s each: by file size they started last, and the run ended with one of them alone.
  'examples/rotation-processes.test.ts',
  'examples/run-scripts.test.ts',
  'hardening/secrets-cli.test.ts',
  'cli/units.test.ts',
];

class LongestFirst extends Sequencer {
  sort(tests) {
    if (tests.some((test) => this.time(test) != null)) return super.sort(tests);
    const rank = (test) => LONGEST_FIRST.findIndex((suffix) => test.path.split('\\').join('/').endsWith(`__tests__/${suffix}`));
    const known = tests.filter((test) => rank(test) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...known, ...super.sort(tests.filter((test) => rank(test) < 0))];
  }
}

module.exports = LongestFirst;
