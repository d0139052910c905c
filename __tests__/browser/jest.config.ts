/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "node10"}} */
import type { Config } from 'jest';
import base from '../../jest.config';

// The browser tests (`npm run test:browser`, run by .ci/run): the emulator's dashboard in real
// headless Chromium (Debian's `chromium` package at /usr/bin/chromium, driven by playwright-core;
// never a browser download). Kept out of `npm test`: their files end in `.browser.ts`, which the
// main jest config does not match. They take the screenshots of docs/emulator.md (into
// .tmp/screenshots; `UPDATE_DOCS_IMAGES=1 npm run test:browser` writes docs/images).
const config: Config = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/__tests__/browser'],
  testMatch: ['**/*.browser.ts'],
  testTimeout: 120_000,
};

export default config;
