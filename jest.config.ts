/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "node10"}} */
import type { Config } from 'jest';

// Tests import the package by its public names (`tokenkit`, `tokenkit/emulator`, ...),
// mapped here to the sources, as a user's code would import the built package.
const config: Config = {
  // jest's node environment, with undici's global dispatcher visible in each test file's realm (see the file).
  testEnvironment: '<rootDir>/__tests__/support/node-environment.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Each file is transpiled alone (tsconfig's isolatedModules): type-checking is done once, by
    // `npm run typecheck` (part of `npm test`), not per test file.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    '^tokenkit$': '<rootDir>/src/index.ts',
    '^tokenkit/emulator$': '<rootDir>/src/emulator/index.ts',
    '^tokenkit/client$': '<rootDir>/src/user-client/index.ts',
    '^tokenkit/nest$': '<rootDir>/src/nest/index.ts',
    '^tokenkit/fastify$': '<rootDir>/src/fastify/index.ts',
    // package.json's subpath import: the Node runtime here, as under Node's `default` condition.
    '^#runtime$': '<rootDir>/src/runtime/node.ts',
  },
  testTimeout: 30_000,
  // One worker per core. jest's default is one less: on a 2-core machine that is one worker, which
  // runs every file one after another in a single process and leaves the other core mostly idle.
  maxWorkers: '100%',
  // Builds the CLI once (into .tmp/cli/main.js): CLI tests spawn node on it, not tsx on the sources.
  globalSetup: '<rootDir>/__tests__/support/build-cli.ts',
  // Without timings from an earlier run, the longest suites start first (see the file).
  testSequencer: '<rootDir>/__tests__/support/sequencer.js',
  // How long jest waits for a worker to exit once told to (then it kills it and prints "A worker
  // process has failed to exit gracefully"). 500 ms by default, which a worker that leaks nothing
  // still overran in most full runs: by then each holds 0.9-1.3 GB (garbage V8 has not collected
  // yet, after the suites with 100,000 users), and the kernel alone takes 0.4-0.6 s to free that on
  // this 2-core machine under load, after 'exit' (which comes within milliseconds: the environment
  // skips Node's own heap teardown, see support/node-environment.js). A worker that keeps a server,
  // socket or timer open never exits, and is still killed, with the message.
  workerGracefulExitTimeout: 2_000,
};

export default config;
