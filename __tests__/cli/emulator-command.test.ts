// `tokenkit emulator`: started as a child process (node on the CLI built from src/cli), it prints
// its URL, key and secret, logs one line per request without secrets, and stops cleanly on
// SIGTERM and SIGINT.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SigningKey } from '../../src/tokens/key';
import { mintServerToken } from '../../src/tokens/mint';
import { CLI_MAIN } from '../support/cli-bundle';

const ROOT = path.resolve(__dirname, '../..');

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Waits (bounded) until `predicate` holds for the output so far. */
async function waitFor(read: () => string, predicate: (s: string) => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate(read())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; output so far:\n${read()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [CLI_MAIN, 'emulator', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await waitFor(() => out + err, (s) => /listening on http:\/\/\S+/.test(s) || child.exitCode !== null, 'the URL');
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`no URL printed:\n${out}\n${err}`);
  return { child, out: () => out, err: () => err, url, exited };
}

const running: Running[] = [];
afterEach(() => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
});

test('prints URL and key; logs each request without secrets; SIGTERM stops it cleanly', async () => {
  const secret = 'cli-test-secret-abcdef0123456789';
  const r = await startCli(['--port', '0', '--api-key', 'cli-key', '--api-secret', secret]);
  running.push(r);
  expect(r.out()).toContain('TOKENKIT_API_KEY=cli-key');
  expect(r.out()).not.toContain(secret); // a secret the user gave is not echoed

  const token = mintServerToken(SigningKey.from(secret), Date.now());
  const res = await fetch(`${r.url}/v1/app?debug=1`, { headers: { 'Api-Key': 'cli-key', Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const requestId = res.headers.get('x-request-id')!;
  await waitFor(r.out, (s) => s.includes(requestId), 'the log line');
  const line = r.out().split('\n').find((l) => l.includes(requestId));
  expect(line).toMatch(new RegExp(`^GET /v1/app 200 \\d+\\.\\dms ${requestId}$`));
  expect(r.out()).not.toContain(token);

  r.child.kill('SIGTERM');
  expect(await r.exited).toEqual({ code: 0, signal: null });
  expect(r.out()).toContain('emulator stopped');
  expect(r.err()).toBe('');
});

test('without a key and secret it generates both and prints them; SIGINT stops it cleanly', async () => {
  const r = await startCli(['--port', '0', '--quiet']);
  running.push(r);
  const key = /TOKENKIT_API_KEY=(\S+)/.exec(r.out())?.[1];
  const secret = /TOKENKIT_API_SECRET=([0-9a-f]{64})/.exec(r.out())?.[1];
  expect(key).toBeDefined();
  expect(secret).toBeDefined();
  const token = mintServerToken(SigningKey.from(secret!), Date.now());
  expect((await fetch(`${r.url}/v1/app`, { headers: { 'Api-Key': key!, Authorization: `Bearer ${token}` } })).status).toBe(200);
  r.child.kill('SIGINT');
  expect(await r.exited).toEqual({ code: 0, signal: null });
});

test('the dashboard is on by default and its address printed; --no-dashboard turns it off', async () => {
  const on = await startCli(['--port', '0', '--quiet']);
  running.push(on);
  expect(on.out()).toContain(`# dashboard: ${on.url}/_dashboard/\n`);
  const page = await fetch(`${on.url}/_dashboard/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('tokenkit-dashboard-token');
  on.child.kill('SIGTERM');
  await on.exited;

  const off = await startCli(['--port', '0', '--quiet', '--no-dashboard']);
  running.push(off);
  expect(off.out()).toContain('# dashboard: off (--no-dashboard)\n');
  expect((await fetch(`${off.url}/_dashboard/`)).status).toBe(404);
  off.child.kill('SIGTERM');
  await off.exited;
});

test('--data keeps the state in a file across restarts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenkit-cli-'));
  const file = path.join(dir, 'state.json');
  const secret = 'cli-data-secret';
  const args = ['--port', '0', '--data', file, '--api-key', 'k', '--api-secret', secret, '--quiet'];
  const admin = () => ({ 'Api-Key': 'k', Authorization: `Bearer ${mintServerToken(SigningKey.from(secret), Date.now())}`, 'Content-Type': 'application/json' });
  try {
    const first = await startCli(args);
    running.push(first);
    const put = await fetch(`${first.url}/v1/users`, { method: 'POST', headers: admin(), body: JSON.stringify({ users: [{ id: 'kept', name: 'Kept' }] }) });
    expect(put.status).toBe(200);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = await startCli(args);
    running.push(second);
    const got = await fetch(`${second.url}/v1/users/kept`, { headers: admin() });
    expect(await got.json()).toMatchObject({ user: { id: 'kept', name: 'Kept' } });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad flag is refused with a message and a non-zero exit', async () => {
  const child = spawn(process.execPath, [CLI_MAIN, 'emulator', '--port', 'eighty'], { cwd: ROOT });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).not.toBe(0);
  expect(err).toMatch(/--port.*port number/);
});

test('--cors-origin (repeatable) lets those pages call the client routes, and no other', async () => {
  const r = await startCli(['--port', '0', '--quiet', '--cors-origin', 'http://localhost:3000', '--cors-origin', 'http://localhost:5173']);
  running.push(r);
  const preflight = (origin: string) =>
    fetch(`${r.url}/v1/connect`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
  for (const origin of ['http://localhost:3000', 'http://localhost:5173']) {
    const res = await preflight(origin);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  }
  expect((await preflight('http://localhost:8080')).status).toBe(403);
});

test('--cors-origin with something that is not an origin stops with the reason', async () => {
  const child = spawn(process.execPath, [CLI_MAIN, 'emulator', '--port', '0', '--cors-origin', 'localhost:3000/app'], { cwd: ROOT });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).not.toBe(0);
  expect(err).toContain('corsOrigins');
});
