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

/** Signs in as alice, fetches a token from the example, and connects to the emulator with it. */
async function signInAndConnect(url: string): Promise<void> {
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
}

const HONO_SERVER = { path: join(ROOT, 'examples', 'hono', 'server.ts'), name: 'hono' };

test.each<[string, () => Promise<Running>]>([
  ['Bun', async () => startProcess(BUN, [(await bundle('bun', HONO_SERVER)).file], { ...ENV, PORT: '0', HOST: '127.0.0.1' })],
  ['Deno', async () => startProcess(DENO, [...DENO_RUN, (await bundle('deno', HONO_SERVER)).file], { ...ENV, PORT: '0', HOST: '127.0.0.1' })],
])('examples/hono on %s: sign in, fetch a token, connect with it', async (_name, start) => {
  const running = await start();
  try {
    await signInAndConnect(running.url);
  } finally {
    await running.close();
  }
});

test('examples/cloudflare-worker in workerd (no nodejs_compat): its bundle has no node: import; sign in, fetch a token, connect with it', async () => {
  const { file, nodeImports } = await bundle('workerd', { path: join(ROOT, 'examples', 'cloudflare-worker', 'src', 'index.ts'), name: 'cloudflare-worker' });
  expect(nodeImports).toEqual([]);
  const mf = new Miniflare({ modules: true, scriptPath: file, compatibilityDate: '2025-01-01', bindings: { ...ENV, TOKENKIT_BASE_URL: emulator.url }, host: '127.0.0.1', port: 0 });
  try {
    const url = (await mf.ready).toString().replace(/\/$/, '');
    await signInAndConnect(url);
  } finally {
    await mf.dispose();
  }
});
