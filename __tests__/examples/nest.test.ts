import { ServerClient } from 'tokenkit';
import { fetchToken, login } from '../support/backend';
import { startNestExample } from './nest-app';

const SECRET = 'nest-example-secret-0123456789abcdef';
const verifier = new ServerClient({ apiKey: 'key', apiSecret: SECRET });
let app: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  app = await startNestExample({
    tokenkit: { apiKey: 'key', apiSecret: SECRET },
    users: { alice: 'wonderland', bob: 'builder' },
    tokenValiditySeconds: 90,
  });
});
afterAll(() => app.close());

test('no session: /token answers 401 with Cache-Control: no-store', async () => {
  const { status, headers, body } = await fetchToken(app.url);
  expect(status).toBe(401);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(body['token']).toBeUndefined();
});

test.each([
  ['a wrong password', 'alice', 'builder'],
  ['an unknown user', 'mallory', 'x'],
  ['a prototype key', 'constructor', 'x'],
])('login with %s is refused', async (_name, user, password) => {
  expect(await login(app.url, user, password)).toBe(401);
});

test('login, a token for the session user only (verified with the secret), logout', async () => {
  const alice = await login(app.url, 'alice', 'wonderland');
  if (typeof alice === 'number') throw new Error(`login failed: ${alice}`);
  const { status, headers, body } = await fetchToken(app.url, alice);
  expect(status).toBe(200);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(body['user_id']).toBe('alice');
  const claims = await verifier.verifyUserToken(String(body['token']), { userId: 'alice' });
  expect((claims.exp ?? 0) - Math.floor(claims.iat ?? 0)).toBe(90);
  expect(body['expires_at']).toBe((claims.exp ?? 0) * 1000);

  const res = await fetch(`${app.url}/logout`, { method: 'POST', headers: { cookie: alice.cookie } });
  expect(res.status).toBe(204);
  expect((await fetchToken(app.url, alice)).status).toBe(401);
});
