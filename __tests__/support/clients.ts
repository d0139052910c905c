// The one way tests build a client against a running emulator: its URL, API key and secret, plus
// whatever the test changes (a wrong secret, a keyring, retries, a logger, a fetch...).
import { ServerClient, type ServerClientOptions } from 'tokenkit';
import { UserClient, type UserClientOptions } from 'tokenkit/client';
import type { Emulator } from 'tokenkit/emulator';

/** A ServerClient of `emulator` (its URL, API key and secret); `overrides` win over those. */
export function serverClientFor(emulator: Emulator, overrides: ServerClientOptions = {}): ServerClient {
  return new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url, ...overrides });
}

/** A UserClient of `emulator` (its URL and API key); `overrides` win over those. */
export function userClientFor(emulator: Emulator, overrides: Partial<UserClientOptions> = {}): UserClient {
  return new UserClient({ apiKey: emulator.apiKey, baseUrl: emulator.url, ...overrides });
}
