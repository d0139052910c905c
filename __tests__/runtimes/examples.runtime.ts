// The examples in the runtimes they are written for, on the built package: examples/hono's server
// on Bun and on Deno, and examples/cloudflare-worker in workerd (miniflare, no nodejs_compat).
// Each: sign in, fetch a token, and connect a UserClient to an emulator on 127.0.0.1 with it.
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { ServerClient } from 'tokenkit';
import { UserClient } from 'tokenkit/client';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { fetchToken, login } from '../support/backend';
import { ROOT, bundle } from './build';
import { BUN, DENO, DENO_RUN, type Running, startProcess } from './runners';

const SECRET = 'runtime-examples-secret-0123456789abcdef';
let emulator: Emulator;
const ENV = { TOKENKIT_API_KEY: 'examples-key', TOKENKIT_API_SECRET: SECRET, DEMO_USERS: 'alice:wonderland,bob:builder' };

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: 'examples-key', apiSecret: SECRET });
  await new ServerClient({ apiKey: 'examples-key', apiSecret: SECRET, baseUrl: emulator.url }).upsertUsers([{ id: 'alice', name: 'Alice' }]);
});
afterAll(() => emulator.close());

/** A token's JOSE header. */
const headerOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** Signs in as alice, fetches a token from the example, and connects to the emulator with it; resolves to the token. */
async function signInAndConnect(url: string): Promise<string> {
  expect((await fetchToken(url)).status).toBe(401);
  expect(await login(url, 'alice', 'builder')).toBe(401);
  const session = await login(url, 'alice', 'wonderland');
  if (typeof session === 'number') throw new Error(`login answered ${session}`);
  const { status, headers, body } = await fetchToken(url, session);
  expect(status).toBe(200);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(body['user_id']).toBe('alice');
  const chat = new UserClient({ apiKey: 'examples-key', baseUrl: emulator.url });
  const connected = await chat.connectUser({ id: 'alice' }, String(body['token']));
  expect(connected.auth).toBe('jwt');
  expect((await chat.getUser('alice')).name).toBe('Alice');
  await chat.disconnectUser();
  return String(body['token']);
}

/** The emulator's first secret as a one-entry keyring (its kid is `initial`), as TOKENKIT_API_SECRETS holds it. */
const KEYRING_ENV = { TOKENKIT_API_KEY: ENV.TOKENKIT_API_KEY, DEMO_USERS: ENV.DEMO_USERS, TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'initial', secret: SECRET }]) };

const HONO_SERVER = { path: join(ROOT, 'examples', 'hono', 'server.ts'), name: 'hono' };

// On Deno with a keyring: the environment read through Deno.env, TOKENKIT_API_SECRETS parsed there.
test.each<[string, () => Promise<Running>, string | undefined]>([
  ['Bun', async () => startProcess(BUN, [(await bundle('bun', HONO_SERVER)).file], { ...ENV, PORT: '0', HOST: '127.0.0.1' }), undefined],
  ['Deno, with a keyring in TOKENKIT_API_SECRETS', async () => startProcess(DENO, [...DENO_RUN, (await bundle('deno', HONO_SERVER)).file], { ...KEYRING_ENV, PORT: '0', HOST: '127.0.0.1' }), 'initial'],
])('examples/hono on %s: sign in, fetch a token, connect with it', async (_name, start, kid) => {
  const running = await start();
  try {
    const token = await signInAndConnect(running.url);
    expect(headerOf(token)['kid']).toBe(kid);
  } finally {
    await running.close();
  }
});

test.each<[string, Record<string, string>, string | undefined]>([
  ['TOKENKIT_API_SECRET', ENV, undefined],
  ['a keyring in TOKENKIT_API_SECRETS', KEYRING_ENV, 'initial'],
])('examples/cloudflare-worker in workerd (no nodejs_compat), bindings with %s: its bundle has no node: import; sign in, fetch a token, connect with it', async (_name, bindings, kid) => {
  const { file, nodeImports } = await bundle('workerd', { path: join(ROOT, 'examples', 'cloudflare-worker', 'src', 'index.ts'), name: 'cloudflare-worker' });
  expect(nodeImports).toEqual([]);
  const mf = new Miniflare({ modules: true, scriptPath: file, compatibilityDate: '2025-01-01', bindings: { ...bindings, TOKENKIT_BASE_URL: emulator.url }, host: '127.0.0.1', port: 0 });
  try {
    const url = (await mf.ready).toString().replace(/\/$/, '');
    const token = await signInAndConnect(url);
    expect(headerOf(token)['kid']).toBe(kid);
  } finally {
    await mf.dispose();
  }
});
