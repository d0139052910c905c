// tokenkit/client runs in browsers: loading it must not load the secret machinery (node:crypto,
// jsonwebtoken) or any Node-only module. Each is replaced by a module that fails when loaded, and
// the client, loaded afresh, must still load and work against a real emulator.
import { ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { fakeDateOnly, moveClock } from '../support/fake-date';

const NODE_ONLY = [
  'node:crypto',
  'crypto',
  'jsonwebtoken',
  'node:util',
  'util',
  'node:http',
  'http',
  'node:fs',
  'fs',
  'node:buffer',
  'undici',
  'node:events',
];

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
afterEach(() => jest.useRealTimers());

test('tokenkit/client loads and works with every Node-only module made unloadable', async () => {
  fakeDateOnly();
  const server = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret });
  let mod: typeof import('tokenkit/client') | undefined;
  jest.isolateModules(() => {
    for (const name of NODE_ONLY) {
      jest.doMock(name, () => {
        throw new Error(`${name} was loaded by tokenkit/client`);
      });
    }
    mod = require('tokenkit/client') as typeof import('tokenkit/client');
  });
  for (const name of NODE_ONLY) jest.dontMock(name);
  if (!mod) throw new Error('tokenkit/client did not load');

  const chat = new mod.UserClient({ apiKey: emulator.apiKey, baseUrl: emulator.url, refreshAheadSeconds: 600 });
  let calls = 0;
  const connected = await chat.connectUser({ id: 'browser-user' }, async () => {
    calls += 1;
    return server.generateUserToken({ user_id: 'browser-user', validity_in_seconds: 3600 });
  });
  expect(connected.auth).toBe('jwt');
  // 55 minutes later the token is inside the 10-minute refresh-ahead window, so this request
  // first fetches a new one: reading `exp` works without node:buffer.
  moveClock(55 * 60 * 1000);
  const me = await chat.updateMe({ set: { name: 'From a browser' } });
  expect(me.name).toBe('From a browser');
  expect(calls).toBe(2);
  await chat.disconnectUser();
});
