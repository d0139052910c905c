/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "node10"}} */
import type { Config } from 'jest';
import base from '../../jest.config';

// The browser tests (`npm run test:browser-client`): UserClient bundled with esbuild and run in
// Debian's headless Chromium (driven by playwright-core; no browser download). Kept out of
// `npm test` (their files end in `.browser.ts`): they need /usr/bin/chromium, which .ci/run
// installs with apt-get where it is missing.
const config: Config = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/__tests__/browser-client'],
  testMatch: ['**/*.browser.ts'],
  testTimeout: 60_000,
};

export default config;
