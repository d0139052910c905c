// The examples are runnable: each entry script is started as its own process with tsx, as a reader
// would start it, on 127.0.0.1 at a free port, and called over HTTP.
import { ServerClient } from 'tokenkit';
import { fetchToken, login } from '../support/backend';
import { startExample, stopAllExamples, tsxCommand } from '../support/example-process';

const SECRET = 'runnable-example-secret-0123456789';

afterEach(stopAllExamples);

/** Starts `script` through tsx and resolves with the URL it prints. */
async function start(script: string): Promise<string> {
  const started = await startExample(tsxCommand(script), { TOKENKIT_API_KEY: 'key', TOKENKIT_API_SECRET: SECRET, DEMO_USERS: 'alice:wonderland,bob:builder' });
  return started.url;
}

test.each(['examples/express/server.ts', 'examples/nest/main.ts', 'examples/fastify/server.ts'])('%s starts, logs in and issues tokens', async (script) => {
  const url = await start(script);
  expect((await fetchToken(url)).status).toBe(401);
  const alice = await login(url, 'alice', 'wonderland');
  if (typeof alice === 'number') throw new Error(`login failed: ${alice}`);
  const { status, body } = await fetchToken(url, alice);
  expect(status).toBe(200);
  const verifier = new ServerClient({ apiKey: 'key', apiSecret: SECRET });
  expect((await verifier.verifyUserToken(String(body['token']), { userId: 'alice' })).user_id).toBe('alice');
});
