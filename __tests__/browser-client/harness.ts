// The browser harness: UserClient bundled for the browser with esbuild, a page server on
// 127.0.0.1 that serves it (and a token endpoint), and Debian's Chromium driven by playwright-core.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The flags of a quiet, offline headless Chromium (root needs --no-sandbox). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
