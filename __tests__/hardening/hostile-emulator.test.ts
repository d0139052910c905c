// Hostile tokens against the emulator over real HTTP: the user-token catalogue on
// POST /v1/connect, hostile server tokens on admin routes, huge Authorization headers. Each is
// refused with its code, nothing is applied, and the emulator keeps serving.
import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { MAX_TOKEN_LENGTH } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { HS, b64, connectOutcome, send, signText, signValues } from '../support/hardening';
import { acceptedControls, hostileUserTokens } from './hostile-tokens';
import { pool } from '../support/soak';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());


test('every hostile user token is refused on POST /v1/connect with its code, and nothing is written', async () => {
  const cases = hostileUserTokens(emu.apiSecret, emu.clock.now());
  const outcomes = await pool(cases, 16, (c) => connectOutcome(emu, c.token));
  const wrong = cases.map((c, i) => ({ name: `${c.group}: ${c.name}`, expected: c.code, got: outcomes[i] })).filter((r) => r.got !== r.expected);
  expect(wrong).toEqual([]);
  expect(emu.writes()).toEqual([]);
  expect(emu.stats().users).toBe(0);
});

test('the odd but valid tokens connect (the catalogue is not passed by refusing everything)', async () => {
  for (const c of acceptedControls(emu.apiSecret, emu.clock.now())) {
    await expect(connectOutcome(emu, c.token)).resolves.toBe('ok');
  }
});

describe('admin routes', () => {
  const nowS = () => Math.floor(emu.clock.now() / 1000);
  const server = () => ({ server: true, iat: nowS(), exp: nowS() + 300 });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cases = (): Array<[string, string, number, number]> => {
    const s = emu.apiSecret;
    const valid = emu.serverToken();
    const [vh, , vs] = valid.split('.');
    const [uh, , us] = emu.userToken('alice').split('.');
    const body = JSON.stringify(server());
    const claims = (extra: string) => signText(s, JSON.stringify(HS), `{"server":true,"iat":${nowS()},"exp":${nowS() + 300},${extra}}`);
    return [
      ['alg none, no signature', `${b64({ alg: 'none' })}.${b64(server())}.`, 401, 43],
      ['alg none, signed', signValues(s, { alg: 'none' }, server()), 401, 43],
      ['RS256 header, HMAC with the secret', signValues(s, { alg: 'RS256' }, server()), 401, 43],
      ['ES256 header, HMAC with the secret', signValues(s, { alg: 'ES256' }, server()), 401, 43],
      ['a real RS256 server token', jwt.sign(server(), rsa.privateKey, { algorithm: 'RS256' }), 401, 43],
      ['HS512 with the secret', jwt.sign(server(), s, { algorithm: 'HS512' }), 401, 43],
      ['signed with another secret', signValues(`${s}x`, HS, server()), 401, 43],
      ["a user token's signature over a server payload", `${uh}.${b64(server())}.${us}`, 401, 43],
      ['valid signature, payload changed (longer exp)', `${vh}.${b64({ ...server(), exp: nowS() + 100_000 })}.${vs}`, 401, 43],
      ['header not JSON', signText(s, '{alg', body), 401, 43],
      ['header a JSON array', signText(s, '["HS256"]', body), 401, 43],
      ['payload not JSON', signText(s, JSON.stringify(HS), '{"server":true'), 401, 43],
      ['payload a JSON array', signText(s, JSON.stringify(HS), '[true]'), 401, 43],
      ['header: alg twice (none, HS256)', signText(s, '{"alg":"none","alg":"HS256"}', body), 401, 43],
      ['payload: server twice (true, false)', claims('"server":false'), 401, 43],
      ['payload: exp twice', claims(`"exp":${nowS() + 100_000}`), 401, 43],
      ['exp a string', signValues(s, HS, { ...server(), exp: String(nowS() + 300) }), 401, 43],
      ['exp 1e400 (Infinity)', signText(s, JSON.stringify(HS), `{"server":true,"iat":${nowS()},"exp":1e400}`), 401, 43],
      ['iat "NaN"', signValues(s, HS, { ...server(), iat: 'NaN' }), 401, 43],
      ['iat negative', signValues(s, HS, { ...server(), iat: -1 }), 401, 43],
      ['nbf a string', signValues(s, HS, { ...server(), nbf: 'soon' }), 401, 43],
      ['nbf 1e400 (Infinity)', signText(s, JSON.stringify(HS), `{"server":true,"iat":${nowS()},"exp":${nowS() + 300},"nbf":1e400}`), 401, 43],
      ['exp more than 300 s after iat', signValues(s, HS, { ...server(), exp: nowS() + 301 }), 401, 43],
      ['no exp', signValues(s, HS, { server: true, iat: nowS() }), 401, 43],
      ['expired', signValues(s, HS, { server: true, iat: nowS() - 400, exp: nowS() - 100 }), 401, 40],
      ['iat beyond the tolerance', signValues(s, HS, { server: true, iat: nowS() + 60, exp: nowS() + 300 }), 401, 42],
      [`longer than ${MAX_TOKEN_LENGTH} characters`, signValues(s, HS, { ...server(), pad: 'x'.repeat(MAX_TOKEN_LENGTH) }), 401, 43],
      ['a user token', emu.userToken('alice'), 403, 17],
      ['a user token with server: "true" (a string)', signValues(s, HS, { user_id: 'alice', server: 'true', iat: nowS(), exp: nowS() + 60 }), 403, 17],
      ['a dev token', `${b64(HS)}.${b64({ user_id: 'alice' })}.devtoken`, 401, 43],
      ['a dev token claiming server: true', `${b64(HS)}.${b64(server())}.devtoken`, 401, 43],
    ];
  };

  test.each([
    ['GET', '/v1/app', undefined],
    ['PATCH', '/v1/app', { disable_auth_checks: true }],
    ['PATCH', '/v1/users', { users: [{ id: 'alice', set: { role: 'admin' } }] }],
    ['GET', '/v1/users/alice', undefined],
    ['DELETE', '/v1/users/alice/token', undefined],
  ] as const)('%s %s refuses every hostile server token with its code, and applies nothing', async (method, path, body) => {
    const writesBefore = emu.writes().length;
    const list = cases();
    const answers = await pool(list, 8, ([, token]) => send(emu, method, path, { token, body }));
    const wrong = list
      .map(([name, , status, code], i) => ({ name, expected: [status, code], got: [answers[i]?.status, answers[i]?.code] }))
      // GET /v1/users/{id} is a client route too: a token that does not claim server: true is a
      // user's read there (docs/platform-api.md), so only claimed server tokens are judged here.
      .filter((r, i) => !(path === '/v1/users/alice' && answers[i]?.status !== 401 && r.expected[1] === 17))
      .filter((r) => r.got[0] !== r.expected[0] || r.got[1] !== r.expected[1]);
    expect(wrong).toEqual([]);
    expect(emu.writes().length).toBe(writesBefore);
    expect(emu.app().disable_auth_checks).toBe(false);
  });
});

describe('huge Authorization headers', () => {
  const big = (n: number) => `${'A'.repeat(Math.floor(n / 2))}.${'B'.repeat(n - Math.floor(n / 2) - 44)}.${'C'.repeat(43)}`;

  test('a 12 KB token (under the HTTP header limit) is refused by its length: 43 on connect and on admin routes', async () => {
    const a = await send(emu, 'POST', '/v1/connect', { token: big(12_000), body: { user_id: 'alice' } });
    expect([a.status, a.code]).toEqual([401, 43]);
    expect(a.message).toContain(`longer than ${MAX_TOKEN_LENGTH}`);
    const b = await send(emu, 'GET', '/v1/app', { token: big(12_000) });
    expect([b.status, b.code]).toEqual([401, 43]);
    const c = await send(emu, 'GET', '/v1/users/alice', { token: `eyJ${big(12_000)}` });
    expect([c.status, c.code]).toEqual([401, 43]);
  });

  test('a header over the HTTP limit (20 KB, 1 MB) is answered 431, code 4, before any route runs', async () => {
    for (const n of [20_000, 1_000_000]) {
      const a = await send(emu, 'POST', '/v1/connect', { token: big(n), body: { user_id: 'alice' } });
      expect([a.status, a.code]).toEqual([431, 4]);
    }
  });

  test('200 huge hostile requests all end refused, and the emulator keeps serving', async () => {
    const hostile = hostileUserTokens(emu.apiSecret, emu.clock.now());
    const requests = Array.from({ length: 200 }, (_, i) => {
      if (i % 4 === 0) return { path: '/v1/connect', token: big(12_000 + i), expect: [401, 43] };
      if (i % 4 === 1) return { path: '/v1/connect', token: big(40_000 + i), expect: [431, 4] };
      if (i % 4 === 2) return { path: '/v1/app', token: big(9_000 + i), expect: [401, 43] };
      const c = hostile[i % hostile.length];
      return { path: '/v1/connect', token: c?.token ?? '', expect: [401, c?.code] };
    });
    const before = emu.writes().length;
    const answers = await pool(requests, 25, (r) =>
      send(emu, r.path === '/v1/app' ? 'GET' : 'POST', r.path, { token: r.token, body: r.path === '/v1/app' ? undefined : { user_id: 'alice' } }),
    );
    const wrong = requests.map((r, i) => ({ i, expected: r.expect, got: [answers[i]?.status, answers[i]?.code] })).filter((x) => x.got[0] !== x.expected[0] || x.got[1] !== x.expected[1]);
    expect(wrong).toEqual([]);
    expect(emu.writes().length).toBe(before);
    // Still serving, admin and client side.
    expect((await send(emu, 'GET', '/v1/app', { token: emu.serverToken() })).status).toBe(200);
    await expect(connectOutcome(emu, emu.userToken('carol'), 'carol')).resolves.toBe('ok');
  });
});

test('with disable_auth_checks on, the emulator still refuses duplicate keys, wrong claim types and other users', async () => {
  const patch = await send(emu, 'PATCH', '/v1/app', { token: emu.serverToken(), body: { disable_auth_checks: true } });
  expect(patch.status).toBe(200);
  try {
    const cases = hostileUserTokens(emu.apiSecret, emu.clock.now());
    const still = cases.filter((c) => ['duplicate keys', 'wrong claim types', 'not JSON / not an object', 'huge'].includes(c.group) || c.code === 46);
    const outcomes = await pool(still, 16, (c) => connectOutcome(emu, c.token));
    const wrong = still.map((c, i) => ({ name: c.name, expected: c.code, got: outcomes[i] })).filter((r) => r.got !== r.expected);
    expect(wrong).toEqual([]);
    await expect(connectOutcome(emu, `${b64(HS)}.${b64({ user_id: 'alice' })}.devtoken`)).resolves.toBe('ok');
  } finally {
    await send(emu, 'PATCH', '/v1/app', { token: emu.serverToken(), body: { disable_auth_checks: false } });
  }
});
