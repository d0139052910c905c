import { ServerClient } from 'tokenkit';
import { createApp } from '../../examples/express/app';
import { type Served, serve } from '../support/serve';
import { fetchToken, login } from '../support/backend';

const client = new ServerClient({ apiKey: 'key', apiSecret: 'express-example-secret-0123456789' });
let served: Served;

beforeAll(async () => {
  served = await serve(createApp({ client, users: { alice: 'wonderland', bob: 'builder' }, tokenValiditySeconds: 120 }));
});
afterAll(() => served.close());

test('no session: /token answers 401', async () => {
  const { status, headers, body } = await fetchToken(served.url);
  expect(status).toBe(401);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(body['token']).toBeUndefined();
});

test.each([
  ['a wrong password', 'alice', 'builder'],
  ['an unknown user', 'mallory', 'wonderland'],
  ['a prototype key', '__proto__', 'x'],
])('login with %s is refused', async (_name, user, password) => {
  expect(await login(served.url, user, password)).toBe(401);
});

test('login sets an HttpOnly session cookie; /token mints for that user only; logout ends it', async () => {
  const res = await fetch(`${served.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: 'alice', password: 'wonderland' }),
  });
  expect(res.status).toBe(204);
  const setCookie = res.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^sid=[A-Za-z0-9_-]{43};/);
  expect(setCookie).toContain('HttpOnly');
  expect(setCookie).toContain('SameSite=Lax');
  const session = { cookie: setCookie.split(';')[0] ?? '' };

  const { status, headers, body } = await fetchToken(served.url, session);
  expect(status).toBe(200);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(body['user_id']).toBe('alice');
  const claims = await client.verifyUserToken(String(body['token']), { userId: 'alice' });
  expect((claims.exp ?? 0) - Math.floor(claims.iat ?? 0)).toBe(120);
  expect(body['expires_at']).toBe((claims.exp ?? 0) * 1000);

  const bob = await login(served.url, 'bob', 'builder');
  if (typeof bob === 'number') throw new Error(`bob's login failed: ${bob}`);
  expect((await fetchToken(served.url, bob)).body['user_id']).toBe('bob');

  const out = await fetch(`${served.url}/logout`, { method: 'POST', headers: { cookie: session.cookie } });
  expect(out.status).toBe(204);
  expect((await fetchToken(served.url, session)).status).toBe(401);
  expect((await fetchToken(served.url, bob)).status).toBe(200);
});

test('a forged session cookie gets nothing', async () => {
  expect((await fetchToken(served.url, { cookie: 'sid=' + 'A'.repeat(43) })).status).toBe(401);
});
