// A wrong API key or secret on an admin call: the platform's error, plus what to check in this
// client's own configuration (the server token and the key come from its options).
import { ApiError, ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { serverClientFor } from '../support/clients';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

async function failure(client: ServerClient): Promise<ApiError> {
  const err = await client.getApp().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

test('a wrong secret: 43, and the message says to check apiSecret, without quoting it', async () => {
  const err = await failure(serverClientFor(emu, { apiSecret: 'not-the-secret', maxRetries: 0 }));
  expect(err).toMatchObject({ status: 401, code: 43 });
  expect(err.message).toMatch(/Check apiSecret \(or TOKENKIT_API_SECRET\)/);
  expect(err.message).not.toContain('not-the-secret');
});

test('a wrong API key: 2, and the message says to check apiKey', async () => {
  const err = await failure(new ServerClient({ apiKey: 'no-such-key', apiSecret: emu.apiSecret, baseUrl: emu.url, maxRetries: 0 }));
  expect(err).toMatchObject({ status: 401, code: 2 });
  expect(err.message).toMatch(/Check apiKey \(or TOKENKIT_API_KEY\)/);
});

test('a 4xx that is not about this client (404) gets no such hint', async () => {
  const client = serverClientFor(emu);
  const err = await client.getUser('nobody').catch((e: unknown) => e);
  expect(err).toMatchObject({ status: 404, code: 16 });
  expect((err as Error).message).not.toMatch(/Check /);
});
