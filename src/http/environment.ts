import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cachedVersion: string | undefined;

/**
 * tokenkit's version, read once from its package.json: `src/http` and `dist/http` both sit two
 * levels below the package root. `0.0.0` where the file cannot be read (a bundler moved us).
 */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      cachedVersion = pkg.name === 'tokenkit' && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}

/** `tokenkit/<version> node/<version>`: what every request sends as `User-Agent`. */
export function userAgent(): string {
  return `tokenkit/${packageVersion()} node/${process.versions.node}`;
}

/** Whether the environment names a proxy (`HTTPS_PROXY`, `HTTP_PROXY`, either case). */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy']);
}

/**
 * The dispatcher to pass to `fetch`: the caller's, else an undici `EnvHttpProxyAgent` where a
 * proxy is configured (it reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` itself), else none.
 * undici is loaded only then: most clients never need it, and it is slow to load.
 */
export function resolveDispatcher(given: object | undefined, env: NodeJS.ProcessEnv = process.env): object | undefined {
  if (given !== undefined) return given;
  if (!proxyConfigured(env)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const undici = require('undici') as typeof import('undici');
  // The values are passed explicitly so that `env` (a test's, or process.env) is the one read.
  return new undici.EnvHttpProxyAgent({
    httpProxy: env['http_proxy'] ?? env['HTTP_PROXY'] ?? '',
    httpsProxy: env['https_proxy'] ?? env['HTTPS_PROXY'] ?? '',
    noProxy: env['no_proxy'] ?? env['NO_PROXY'] ?? '',
  });
}
