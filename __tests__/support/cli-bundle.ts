import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(__dirname, '..', '..');

/** The CLI as one JavaScript file, built from src/cli by jest's globalSetup (__tests__/support/build-cli.ts). */
export const CLI_BUNDLE = join(ROOT, '.tmp', 'cli', 'main.js');
