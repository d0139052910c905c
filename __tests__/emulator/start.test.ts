// startEmulator: options, generated credentials, secrets kept out of sight, request ids, the
// request log, close().
import { connect as connectTcp } from 'node:net';
import { inspect } from 'node:util';
import { ConfigError } from 'tokenkit';
import { type EmulatorLogRecord, type EmulatorOptions, startEmulator } from 'tokenkit/emulator';
import { call, connect } from '../support/emulator';

test('port 0 and 127.0.0.1 by default; a random key and secret each time', async () => {
  const [a, b] = await Promise.all([startEmulator(), startEmulator()]);
  try {
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.port).not.toBe(b.port);
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(a.apiSecret).not.toBe(b.apiSecret);
    expect(a.apiSecret.length).toBeGreaterThanOrEqual(32);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a given key and secret are used', async () => {
  const emu = await startEmulator({ apiKey: 'my-key', apiSecret: 'my-secret' });
  try {
    expect(emu.apiKey).toBe('my-key');
    expect(emu.apiSecret).toBe('my-secret');
    expect((await call(emu, 'GET', '/v1/app')).status).toBe(200);
  } finally {
    await emu.close();
  }
});

test.each([
  [{ prot: 1 }, /prot/],
  [{ port: 'eighty' }, /port/],
  [{ apiSecret: '' }, /apiSecret: must not be empty/],
  [{ clock: { now: 5 } }, /clock/],
  [{ faults: { rate: 0.5, sequence: [503] } }, /faults/],
  [{ app: { access_token_permission: 'open' } }, /app\.access_token_permission/],
  [{ maxConnections: 0 }, /maxConnections/],
])('bad options %j are refused with a ConfigError naming the option', async (options, message) => {
  const started = startEmulator(options as unknown as EmulatorOptions);
  await expect(started).rejects.toThrow(ConfigError);
  await expect(started).rejects.toThrow(message);
});

test('the secret never shows in inspect, JSON or the request log', async () => {
  const records: EmulatorLogRecord[] = [];
  const emu = await startEmulator({ apiSecret: 'very-secret-value', logger: (r) => records.push(r) });
  try {
    const token = emu.userToken('alice');
    await call(emu, 'GET', '/v1/app');
    await connect(emu, {}, token);
    await call(emu, 'GET', `/v1/app?token=${token}`);
    const shown = [inspect(emu), JSON.stringify(emu), JSON.stringify(records)].join('\n');
    expect(shown).not.toContain('very-secret-value');
    expect(shown).not.toContain(token);
    expect(JSON.stringify(records)).not.toContain(emu.apiKey);
  } finally {
    await emu.close();
  }
});

test('the request log has one record per request: method, path without query, status, ms, request id, fault', async () => {
  const records: EmulatorLogRecord[] = [];
  const emu = await startEmulator({ logger: (r) => records.push(r) });
  try {
    const ok = await call(emu, 'GET', '/v1/app?x=1');
    emu.faults.set({ sequence: [503] });
    await call(emu, 'GET', '/v1/app');
    await call(emu, 'GET', '/v1/nothing');
    expect(records).toEqual([
      { method: 'GET', path: '/v1/app', status: 200, ms: expect.any(Number), requestId: ok.headers.get('x-request-id') },
      { method: 'GET', path: '/v1/app', status: 503, ms: expect.any(Number), requestId: expect.any(String), fault: '503' },
      { method: 'GET', path: '/v1/nothing', status: 404, ms: expect.any(Number), requestId: expect.any(String) },
    ]);
  } finally {
    await emu.close();
  }
});

test('every answer, success or error, has its own X-Request-Id', async () => {
  const emu = await startEmulator();
  try {
    const answers = await Promise.all([
      call(emu, 'GET', '/v1/app'),
      call(emu, 'GET', '/v1/app', { as: 'none' }),
      call(emu, 'GET', '/nowhere'),
      call(emu, 'DELETE', '/v1/app'),
      call(emu, 'POST', '/v1/users', { raw: '{', headers: { 'Content-Type': 'application/json' } }),
    ]);
    const ids = answers.map((a) => a.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);
  } finally {
    await emu.close();
  }
});

test('close() stops listening, and may be called twice', async () => {
  const emu = await startEmulator();
  await call(emu, 'GET', '/v1/app');
  await Promise.all([emu.close(), emu.close()]);
  await emu.close();
  await expect(fetch(`${emu.url}/v1/app`)).rejects.toThrow('fetch failed');
});

test('a request that is not valid HTTP gets a 400 in the contract shape, with an X-Request-Id', async () => {
  const emu = await startEmulator();
  try {
    const { port } = new URL(emu.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/X-Request-Id: [0-9a-f-]{36}/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toEqual({ code: 4, message: 'malformed HTTP request', status_code: 400 });
    expect((await call(emu, 'GET', '/v1/app')).status).toBe(200);
  } finally {
    await emu.close();
  }
});
