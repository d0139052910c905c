// `tokenkit emulator` for rehearsals: export lines in the banner and in --env-file, the
// key and secret kept with --data, --seed users.jsonl, and a busy port that names --port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServerClient } from 'tokenkit';
import { startEmulator } from 'tokenkit/emulator';
import { CLI_MAIN } from '../support/cli-bundle';

jest.setTimeout(120_000);
const ROOT = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenkit-rehearsal-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts the emulator command; resolves with its output once it prints its banner (or exits). */
function start(args: string[]): Promise<{ out: string; err: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI_MAIN, 'emulator', '--quiet', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  let closed = false;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${out}\n${err}`)), 60_000);
    const check = (): void => {
      if (/Stop with Ctrl-C/.test(out) || closed) {
        clearTimeout(timer);
        resolve({ out, err, stop: () => (closed ? exited : (child.kill('SIGTERM'), exited)) });
      } else setTimeout(check, 25);
    };
    child.on('close', () => {
      closed = true;
    });
    check();
  });
}

/** The `export NAME=value` lines of a text, as an object (values without quotes here). */
function exports(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export (TOKENKIT_\w+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

// --write-env: Node 20 takes `--env-file` on its command line for itself, even after the script.
test('--data keeps the generated key and secret; --write-env (--env-file) and the banner hold export lines; --seed loads users', async () => {
  const data = path.join(dir, 'state.json');
  const envFile = path.join(dir, 'emu.env');
  const seed = path.join(dir, 'seed.jsonl');
  fs.writeFileSync(seed, ['{"id":"alice","name":"Alice","team":"blue"}', '{"id":"bob","created_at":"2020-01-01T00:00:00.000Z"}', ''].join('\n'));
  const first = await start(['--port', '0', '--data', data, '--write-env', envFile, '--seed', seed]);
  const banner = exports(first.out);
  expect(Object.keys(banner).sort()).toEqual(['TOKENKIT_API_KEY', 'TOKENKIT_API_SECRET', 'TOKENKIT_BASE_URL']);
  expect(exports(fs.readFileSync(envFile, 'utf8'))).toEqual(banner);
  expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
  expect(first.out).toMatch(/seeded 2 users from/);
  const client = new ServerClient({ apiKey: banner['TOKENKIT_API_KEY'], apiSecret: banner['TOKENKIT_API_SECRET'], baseUrl: banner['TOKENKIT_BASE_URL'] });
  const { users } = await client.queryUsers({ ids: ['alice', 'bob'] });
  expect(users.map((u) => [u.id, u.name ?? null, u['team'] ?? null])).toEqual([['alice', 'Alice', 'blue'], ['bob', null, null]]);
  expect(await first.stop()).toBe(0);

  const second = await start(['--port', '0', '--data', data]);
  const again = exports(second.out);
  expect([again['TOKENKIT_API_KEY'], again['TOKENKIT_API_SECRET']]).toEqual([banner['TOKENKIT_API_KEY'], banner['TOKENKIT_API_SECRET']]);
  expect(await second.stop()).toBe(0);
});

test('a busy port: one line naming --port, exit 2', async () => {
  const busy = await startEmulator();
  try {
    const r = await start(['--port', String(busy.port), '--host', '127.0.0.1']);
    expect(await r.stop()).toBe(2);
    expect(r.err).toBe(`tokenkit: port ${busy.port} on 127.0.0.1 is in use (another emulator?): choose another with --port N, or --port 0 for a free one\n`);
  } finally {
    await busy.close();
  }
});
