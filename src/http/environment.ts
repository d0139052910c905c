import { runtime } from '../runtime';

/** tokenkit's version, written into the build from package.json (scripts/write-version.js). */
export function packageVersion(): string {
  return runtime.version;
}

/** `tokenkit/<version> <platform>/<version>` (`node/20.19.0` on Node): what every request sends as `User-Agent`. */
export function userAgent(): string {
  return `tokenkit/${runtime.version} ${runtime.platform}`;
}

/** Whether the environment names a proxy (`HTTPS_PROXY`, `HTTP_PROXY`, either case). */
export function proxyConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy']);
}

/**
 * The dispatcher to pass to `fetch`: the caller's, else an undici `EnvHttpProxyAgent` where a
 * proxy is configured (it reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` itself), else none.
 * undici is loaded only then (by the Node runtime: an edge runtime's fetch takes no dispatcher),
 * as most clients never need it and it is slow to load.
 */
export function resolveDispatcher(given: object | undefined, env: Readonly<Record<string, string | undefined>> = runtime.env()): object | undefined {
  if (given !== undefined) return given;
  if (!proxyConfigured(env)) return undefined;
  return runtime.proxyDispatcher(env);
}
