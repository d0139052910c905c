import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { KEYRING_ENV, type KeyringEntry, secretFromEnvironment } from '../tokens/keyring';
import { usageError } from './exit-codes';

/** The app secret as the CLI holds it: one secret, or a keyring (the first entry signs, every entry verifies). */
export type CliSecret = string | KeyringEntry[];

/** The connection flags every platform command takes (docs/cli.md, "Configuration"). */
export interface ConnectionFlags {
  apiKey?: string | undefined;
  apiSecretFile?: string | undefined;
  baseUrl?: string | undefined;
}

/** The configuration once flags and environment are read. The secret is never printed. */
export interface Connection {
  apiKey: string | undefined;
  apiSecret: CliSecret | undefined;
  baseUrl: string | undefined;
}

/**
 * Adds `--api-key`, `--api-secret-file` and `--base-url`. There is deliberately no flag that takes
 * the secret itself: a command line shows in `ps` and in shell history.
 */
export function addConnectionOptions(command: Command, what: { key?: boolean; url?: boolean } = {}): Command {
  if (what.key !== false) command.addOption(new Option('--api-key <key>', 'the app API key').env('TOKENKIT_API_KEY'));
  command.addOption(
    new Option('--api-secret-file <file>', `read the app secret from this file (else TOKENKIT_API_SECRET, or ${KEYRING_ENV} for a keyring; never a flag value)`),
  );
  if (what.url !== false) {
    command.addOption(new Option('--base-url <url>', 'the platform URL, e.g. http://127.0.0.1:8787').env('TOKENKIT_BASE_URL'));
  }
  return command;
}

/** Reads a secret file: its content without the final line break; refused if empty or unreadable. */
export async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : 'unreadable';
    throw usageError(`cannot read the secret file ${JSON.stringify(path)}: ${why}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length === 0) throw usageError(`the secret file ${JSON.stringify(path)} is empty`);
  if (/[\r\n]/.test(secret)) throw usageError(`the secret file ${JSON.stringify(path)} holds more than one line`);
  return secret;
}

/**
 * Resolves the connection from the flags (commander already fell back to `TOKENKIT_API_KEY` and
 * `TOKENKIT_BASE_URL`) and the secret from `--api-secret-file`, else `TOKENKIT_API_SECRET` or
 * `TOKENKIT_API_SECRETS` (the flag wins over the environment).
 */
export async function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<Connection> {
  let apiSecret: CliSecret | undefined;
  if (flags.apiSecretFile !== undefined) apiSecret = await readSecretFile(flags.apiSecretFile);
  else {
    const fromEnv = secretFromEnvironment(env);
    if ('fault' in fromEnv) throw usageError(fromEnv.fault.message);
    apiSecret = fromEnv.secret;
  }
  const apiKey = flags.apiKey || env['TOKENKIT_API_KEY'] || undefined;
  let baseUrl = flags.baseUrl || env['TOKENKIT_BASE_URL'] || undefined;
  if (baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw usageError(`invalid base URL ${JSON.stringify(baseUrl)}: expected an http(s) URL such as http://127.0.0.1:8787`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw usageError(`invalid base URL ${JSON.stringify(baseUrl)}: expected http:// or https://`);
    }
    baseUrl = baseUrl.replace(/\/+$/, '');
  }
  return { apiKey, apiSecret, baseUrl };
}

/** The secret, or a usage error naming both ways to give it. */
export function requireSecret(c: Connection): CliSecret {
  if (!c.apiSecret) throw usageError(`the app secret is missing: set TOKENKIT_API_SECRET (or ${KEYRING_ENV}, a keyring) or pass --api-secret-file FILE`);
  return c.apiSecret;
}

/** Key, secret and URL, or a usage error listing each that is missing. */
export function requirePlatform(c: Connection): { apiKey: string; apiSecret: CliSecret; baseUrl: string } {
  const missing: string[] = [];
  if (!c.apiKey) missing.push('the API key (--api-key or TOKENKIT_API_KEY)');
  if (!c.apiSecret) missing.push('the app secret (--api-secret-file FILE or TOKENKIT_API_SECRET)');
  if (!c.baseUrl) missing.push('the platform URL (--base-url or TOKENKIT_BASE_URL)');
  if (missing.length > 0 || !c.apiKey || !c.apiSecret || !c.baseUrl) {
    throw usageError(`missing configuration: ${missing.join('; ')}`);
  }
  return { apiKey: c.apiKey, apiSecret: c.apiSecret, baseUrl: c.baseUrl };
}
