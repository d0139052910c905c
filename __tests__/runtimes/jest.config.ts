/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "node10"}} */
import type { Config } from 'jest';
import base from '../../jest.config';

// The runtime matrix (`npm run test:runtimes`, after `npm run build`): the same scenario in Node 20
// and 22, Bun, Deno, workerd (miniflare) and Vercel's edge runtime, each against the built package
// as its own bundler would resolve it. Kept out of `npm test` (files end in `.runtime.ts`): it
// starts other runtimes and needs Node 22 (`npm run setup:runtimes`).
const config: Config = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/__tests__/runtimes'],
  testMatch: ['**/*.runtime.ts'],
  testTimeout: 120_000,
};

export default config;
