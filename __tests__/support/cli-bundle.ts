import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(__dirname, '..', '..');

/** The CLI as one JavaScript file, built from src/cli by jest's globalSetup (__tests__/support/build-cli.ts). */
export const CLI_BUNDLE = join(ROOT, '.tmp', 'cli', 'main.js');

/**
 * What tests start with `node`: cli-launcher.js, which runs CLI_BUNDLE as the main module with
 * V8's code cache (`node CLI_MAIN args` behaves as `node CLI_BUNDLE args`, and starts faster).
 */
export const CLI_MAIN = join(ROOT, '__tests__', 'support', 'cli-launcher.js');
