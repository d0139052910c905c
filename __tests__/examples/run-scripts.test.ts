// The examples are runnable: each entry script is started as its own process with tsx, as a reader
// would start it, on 127.0.0.1 at a free port, and called over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ServerClient } from 'tokenkit';
import { fetchToken, login } from '../support/backend';

const ROOT = join(__dirname, '..', '..');
const SECRET = 'runnable-example-secret-0123456789';
const STARTUP_LIMIT_MS = 25_000;

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  child = undefined;
});

/** Starts `script` and resolves with the URL it prints; rejects when it exits first or takes too long. */
function start(script: string): Promise<string> {
  const proc = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, script)], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      TOKENKIT_API_KEY: 'key',
      TOKENKIT_API_SECRET: SECRET,
      DEMO_USERS: 'alice:wonderland,bob:builder',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  return new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${STARTUP_LIMIT_MS} ms: ${err}`)), STARTUP_LIMIT_MS);
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${err}`));
    });
  });
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
