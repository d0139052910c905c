// The prelude of the documentation snippets: the names a snippet may use without defining them.
//
// A ```ts block in README.md or docs/*.md, and an @example in a public doc comment, is a module of
// its own. It may import from 'tokenkit', 'tokenkit/emulator', 'tokenkit/client', 'tokenkit/nest',
// 'tokenkit/fastify' and any installed package, and it may use these names as if they were defined
// before it:
//
//   emulator      a running emulator (tokenkit/emulator), fresh for each snippet
//   apiKey, apiSecret, secret (= apiSecret), baseUrl (= emulator.url)
//   client        new ServerClient({ apiKey, apiSecret, baseUrl })
//   userId        'alice'; the users 'alice' (Alice) and 'bob' (Bob) exist
//   token         a token for alice, valid for an hour, minted by `client`
//   user, app     alice's user record and the app settings, as `client` reads them
//   chat          a UserClient({ apiKey, baseUrl }), not connected yet
//   fetchTokenFromMyBackend()  resolves to a fresh token for alice (what your backend would answer)
//   ConfigModule, ConfigService  stand-ins for @nestjs/config (not installed here)
//
// and these stand-ins for your own login system (every session is alice's):
//
//   sessionUser(req), userFromSession(req)   the user id of a request's session, or null
//   sessions      a Map from session id to user id;  readCookie(req, name)  a cookie's value
//   SessionStore  an injectable class with userFor(req)
//
// While a snippet runs, TOKENKIT_API_KEY, TOKENKIT_API_SECRET and TOKENKIT_BASE_URL name the
// snippet's emulator, so `new ServerClient()` (configured from the environment) reaches it too.
import type { IncomingMessage } from 'node:http';
import { type App, ServerClient, type User } from 'tokenkit';
import { UserClient } from 'tokenkit/client';
import { type Emulator, startEmulator } from 'tokenkit/emulator';

/** Stand-in for `@nestjs/config`'s ConfigService: reads the environment. */
export class ConfigService {
  get(key: string): string | undefined {
    return process.env[key];
  }
}

/** Stand-in for `@nestjs/config`'s ConfigModule. */
export class ConfigModule {}

/** Stand-in for your session store: every request is alice's. */
export class SessionStore {
  userFor(_req: IncomingMessage): string | null {
    return 'alice';
  }
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export interface SnippetGlobals {
  emulator: Emulator;
  apiKey: string;
  apiSecret: string;
  secret: string;
  baseUrl: string;
  client: ServerClient;
  userId: string;
  token: string;
  user: User;
  app: App;
  chat: UserClient;
  fetchTokenFromMyBackend: () => Promise<string>;
  sessionUser: (req: IncomingMessage) => string | null;
  userFromSession: (req: IncomingMessage) => string | null;
  sessions: Map<string, string>;
  readCookie: (req: IncomingMessage, name: string) => string | undefined;
  SessionStore: typeof SessionStore;
  ConfigModule: typeof ConfigModule;
  ConfigService: typeof ConfigService;
}

/** Names that are classes: declared as a value and a type. */
export const CLASS_NAMES: ReadonlySet<keyof SnippetGlobals> = new Set<keyof SnippetGlobals>(['ConfigModule', 'ConfigService', 'SessionStore']);

/** Every name of the prelude, in a fixed order (the runner passes them as parameters in this order). */
export const PRELUDE_NAMES: ReadonlyArray<keyof SnippetGlobals> = [
  'emulator',
  'apiKey',
  'apiSecret',
  'secret',
  'baseUrl',
  'client',
  'userId',
  'token',
  'user',
  'app',
  'chat',
  'fetchTokenFromMyBackend',
  'sessionUser',
  'userFromSession',
  'sessions',
  'readCookie',
  'SessionStore',
  'ConfigModule',
  'ConfigService',
];

/**
 * The ambient declarations that type-check a snippet against the prelude: each name has the type
 * of its field in {@link SnippetGlobals}. `preludeModule` is the import path of this file.
 */
export function preludeDeclarations(preludeModule: string): string {
  const lines = ['// Generated from __tests__/docs/prelude.ts: the names every snippet may use.'];
  for (const name of PRELUDE_NAMES) {
    lines.push(`declare const ${name}: import('${preludeModule}').SnippetGlobals['${name}'];`);
    if (CLASS_NAMES.has(name)) lines.push(`type ${name} = InstanceType<import('${preludeModule}').SnippetGlobals['${name}']>;`);
  }
  return `${lines.join('\n')}\n`;
}

/** Starts an emulator and builds the prelude's values on it; `close()` stops the emulator. */
export async function createPrelude(): Promise<{ globals: SnippetGlobals; close: () => Promise<void> }> {
  const emulator = await startEmulator();
  try {
    const { apiKey, apiSecret, url: baseUrl } = emulator;
    const client = new ServerClient({ apiKey, apiSecret, baseUrl });
    await client.upsertUsers([
      { id: 'alice', name: 'Alice' },
      { id: 'bob', name: 'Bob' },
    ]);
    const globals: SnippetGlobals = {
      emulator,
      apiKey,
      apiSecret,
      secret: apiSecret,
      baseUrl,
      client,
      userId: 'alice',
      token: client.generateUserToken({ user_id: 'alice', validity_in_seconds: 3600 }),
      user: await client.getUser('alice'),
      app: await client.getApp(),
      chat: new UserClient({ apiKey, baseUrl }),
      fetchTokenFromMyBackend: async () => client.generateUserToken({ user_id: 'alice', validity_in_seconds: 3600 }),
      sessionUser: () => 'alice',
      userFromSession: () => 'alice',
      sessions: new Map([['session-1', 'alice']]),
      readCookie,
      SessionStore,
      ConfigModule,
      ConfigService,
    };
    const close = async (): Promise<void> => {
      await globals.chat.disconnectUser().catch(() => undefined);
      await emulator.close();
    };
    return { globals, close };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}
