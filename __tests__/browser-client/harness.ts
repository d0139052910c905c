// The browser harness: UserClient bundled for the browser with esbuild, a page server on
// 127.0.0.1 that serves it (and a token endpoint), and Debian's Chromium driven by playwright-core.
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromiumBrowser } from '../support/chromium';

export const ROOT = join(__dirname, '..', '..');

/** `tokenkit/client` as one ES module for the browser, built from the sources. */
export async function bundleUserClient(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, 'src', 'user-client', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild wrote nothing');
  return file.text;
}

/** Starts Debian's Chromium; fails with what to install when it is missing. */
export function launchChromium(): Promise<Browser> {
  return launchChromiumBrowser();
}
