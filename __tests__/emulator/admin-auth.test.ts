// Admin authentication (docs/platform-api.md, "Admin authentication"): every refusal of an admin
// request, over real HTTP.
import jwt from 'jsonwebtoken';
import { type Emulator} from 'tokenkit/emulator';
import { mintDevToken } from '../../src/tokens/mint';
import { call, expectError, setApp, sign, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));

const bearer = (token: string) => ({ 'Api-Key': emu.apiKey, Authorization: `Bearer ${token}` });
const getApp = (headers: Record<string, string>) => call(emu, 'GET', '/v1/app', { as: 'none', headers });
const nowS = () => Math.floor(clock.now() / 1000);

test('a valid server token and Api-Key pass', async () => {
  const a = await call(emu, 'GET', '/v1/app');
  expect(a.status).toBe(200);
  expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('a missing Api-Key is 401, code 2', async () => {
  expectError(await getApp({ Authorization: `Bearer ${emu.serverToken()}` }), 401, 2, /Api-Key/);
});

test('an unknown Api-Key is 401, code 2', async () => {
  expectError(await getApp({ 'Api-Key': 'someone-else', Authorization: `Bearer ${emu.serverToken()}` }), 401, 2);
});

test('an api_key in the query string is never read', async () => {
  const a = await call(emu, 'GET', `/v1/app?api_key=${emu.apiKey}`, { as: 'none', headers: { Authorization: `Bearer ${emu.serverToken()}` } });
  expectError(a, 401, 2);
});

test('a missing Authorization is 401, code 45', async () => {
  expectError(await getApp({ 'Api-Key': emu.apiKey }), 401, 45);
});

test.each([
  ['not Bearer', 'Basic abc'],
  ['an empty Bearer', 'Bearer '],
])('Authorization %s is 401, code 43', async (_name, value) => {
  expectError(await getApp({ 'Api-Key': emu.apiKey, Authorization: value }), 401, 43);
});

test('a server token signed with another secret is 401, code 43', async () => {
  const forged = jwt.sign({ server: true, iat: nowS(), exp: nowS() + 60 }, 'another secret', { algorithm: 'HS256' });
  expectError(await getApp(bearer(forged)), 401, 43, /signature/);
});

test('alg "none" and alg HS512 are 401, code 43', async () => {
  const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url') + '.' +
    Buffer.from(JSON.stringify({ server: true, iat: nowS(), exp: nowS() + 60 })).toString('base64url') + '.';
  expectError(await getApp(bearer(none)), 401, 43, /HS256/);
  const hs512 = jwt.sign({ server: true, iat: nowS(), exp: nowS() + 60 }, emu.apiSecret, { algorithm: 'HS512' });
  expectError(await getApp(bearer(hs512)), 401, 43, /HS256/);
});

test('a server token without exp, or living more than 300 s, is 401, code 43', async () => {
  expectError(await getApp(bearer(sign(emu, { server: true, iat: nowS() }))), 401, 43, /exp/);
  expectError(await getApp(bearer(sign(emu, { server: true, iat: nowS(), exp: nowS() + 301 }))), 401, 43, /300/);
  expect((await getApp(bearer(sign(emu, { server: true, iat: nowS(), exp: nowS() + 300 })))).status).toBe(200);
});

test('an expired server token is 401, code 40', async () => {
  const token = emu.serverToken(60);
  expect((await getApp(bearer(token))).status).toBe(200);
  clock.advance(60_000);
  expectError(await getApp(bearer(token)), 401, 40);
});

test('a server token issued beyond the clock tolerance is 401, code 42; within it, accepted', async () => {
  expectError(await getApp(bearer(sign(emu, { server: true, iat: nowS() + 6, exp: nowS() + 60 }))), 401, 42);
  expect((await getApp(bearer(sign(emu, { server: true, iat: nowS() + 5, exp: nowS() + 60 })))).status).toBe(200);
});

test('a user token on an admin route is 403, code 17', async () => {
  expectError(await getApp(bearer(emu.userToken('alice'))), 403, 17, /server token/);
  const a = await call(emu, 'DELETE', '/v1/users/alice/token', { as: 'none', headers: bearer(emu.userToken('alice')) });
  expectError(a, 403, 17);
});

test('a dev token is no server token, even with auth checks disabled (43)', async () => {
  await setApp(emu, { disable_auth_checks: true });
  const dev = mintDevToken('alice');
  expectError(await getApp(bearer(dev)), 401, 43);
});
