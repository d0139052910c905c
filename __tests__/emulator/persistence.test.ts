// The data file: loaded at start, written atomically (temporary file, then rename) after each
// change, never holding a secret or a session token; and reset().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArgumentError } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { call, connect, createUsers, expectError, setApp } from '../support/emulator';

let dir: string;
let file: string;
const SECRET = 'persistence-test-secret-0123456789';
const KEY = 'persistence-key';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenkit-emu-'));
  file = path.join(dir, 'state.json');
});
// Every emulator a test starts is closed after it, even when an assertion failed midway.
const started: Emulator[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(started.splice(0).map((e) => e.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(extra: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emu = await startEmulator({ dataFile: file, apiKey: KEY, apiSecret: SECRET, ...extra });
  started.push(emu);
  return emu;
}

test('a missing file is an empty state; the file appears after the first change', async () => {
  const emu = await start();
  try {
    expect(fs.existsSync(file)).toBe(false);
    await createUsers(emu, { id: 'alice' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ version: 1, users: [expect.objectContaining({ id: 'alice' })] });
  } finally {
    await emu.close();
  }
});

test('users, app settings and session tokens survive a restart; the file holds no secret and no token', async () => {
  let emu: Emulator = await start();
  let sessionToken: string;
  let deletedToken: string;
  try {
    await setApp(emu, { jwt_enabled: false, access_token_permission: 'read_only' });
    await createUsers(emu, { id: 'alice', name: 'Alice', team: 'blue' }, { id: 'bob' });
    sessionToken = (await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).body['token'] as string;
    deletedToken = (await call(emu, 'POST', '/v1/users/bob/token', { body: {} })).body['token'] as string;
    await call(emu, 'DELETE', '/v1/users/bob/token');
  } finally {
    await emu.close();
  }
  const text = fs.readFileSync(file, 'utf8');
  for (const secret of [SECRET, KEY, sessionToken, deletedToken]) expect(text).not.toContain(secret);

  emu = await start();
  try {
    expect(emu.app()).toMatchObject({ jwt_enabled: false, access_token_permission: 'read_only' });
    expect(emu.user('alice')).toMatchObject({ name: 'Alice', team: 'blue', requires_token: true });
    expect(emu.user('bob')?.revoke_tokens_issued_before).toBeInstanceOf(Date);
    expect((await connect(emu, {}, sessionToken)).body).toMatchObject({ auth: 'session', user: { id: 'alice' } });
    expectError(await connect(emu, {}, deletedToken), 401, 44);
  } finally {
    await emu.close();
  }
});

test('each write goes to a temporary file in the same folder, flushed, then renamed over the data file', async () => {
  const emu = await start();
  try {
    const renames: Array<{ from: string; to: string; content: unknown }> = [];
    const rename = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      renames.push({ from: String(from), to: String(to), content: JSON.parse(fs.readFileSync(from, 'utf8')) });
      rename(from, to);
    });
    await createUsers(emu, { id: 'alice' });
    await call(emu, 'DELETE', '/v1/users/alice/token');
    expect(renames).toHaveLength(2);
    for (const r of renames) {
      expect(path.dirname(r.from)).toBe(dir);
      expect(r.to).toBe(file);
      expect(r.content).toMatchObject({ version: 1 });
    }
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  } finally {
    await emu.close();
  }
});

test('a write that fails midway leaves the old file whole and no temporary file behind', async () => {
  const emu = await start();
  try {
    await createUsers(emu, { id: 'alice' });
    const before = fs.readFileSync(file, 'utf8');
    jest.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    expectError(await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'bob' }] } }), 500, -1);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  } finally {
    await emu.close();
  }
});

test('a file that is not valid state is refused, naming the file, and left untouched', async () => {
  fs.writeFileSync(file, '{"version": 1, "app": ');
  await expect(start()).rejects.toThrow(ArgumentError);
  await expect(start()).rejects.toThrow(/state\.json: not valid JSON/);
  fs.writeFileSync(file, JSON.stringify({ version: 1, app: {}, users: [], session_tokens: [] }));
  await expect(start()).rejects.toThrow(/dataFile\.app\.disable_auth_checks/);
  expect(fs.readFileSync(file, 'utf8')).toContain('"app":{}');
});

test('the app option applies over a loaded file', async () => {
  const first = await start();
  await setApp(first, { access_token_permission: 'deny_login' });
  await first.close();
  const second = await start({ app: { disable_auth_checks: true } });
  try {
    expect(second.app()).toMatchObject({ access_token_permission: 'deny_login', disable_auth_checks: true });
  } finally {
    await second.close();
  }
});

test('reset() empties the state and the file; the app goes back to the defaults plus the app option', async () => {
  const emu = await start({ app: { access_token_permission: 'read_only' } });
  try {
    await createUsers(emu, { id: 'alice' });
    await setApp(emu, { jwt_enabled: false });
    emu.faults.set({ sequence: [503] });
    await emu.reset();
    expect(emu.stats()).toMatchObject({ users: 0, connections: 0, sessionTokens: 0, idempotencyKeys: 0 });
    expect(emu.writes()).toEqual([]);
    expect(emu.faults.stats().active).toBe(false);
    expect(emu.app()).toMatchObject({ jwt_enabled: true, access_token_permission: 'read_only' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ users: [], app: { access_token_permission: 'read_only' } });
  } finally {
    await emu.close();
  }
});
