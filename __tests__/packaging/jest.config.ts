/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "node10"}} */
import type { Config } from 'jest';

// The packaging tests (`npm run test:packaging`, run by .ci/run after `npm test`): they build the
// package, pack it, install the tarball into consumer projects and run them. Slow (builds and
// installs), so they are kept out of `npm test`: their files end in `.pkgtest.ts`, which the main
// jest config does not match.
const config: Config = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/packaging'],
  testMatch: ['**/*.pkgtest.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 240_000,
};

export default config;
