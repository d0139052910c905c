// CORS: pages on allowed origins may call the client routes; admin and test routes never answer a
// cross-origin request. Over real HTTP on 127.0.0.1, with the headers a browser sends.
import * as jose from 'jose';
import { ConfigError, ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';

const PAGE = 'http://localhost:3000';
let emulator: Emulator;
let client: ServerClient;
let aliceToken: string;

beforeAll(async () => {
  emulator = await startEmulator({ corsOrigins: [PAGE] });
  client = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
  await client.upsertUsers([{ id: 'alice', name: 'Alice' }]);
  aliceToken = client.generateUserToken({ user_id: 'alice' });
});
afterAll(() => emulator.close());

/** A server token (the admin routes' credential), signed with jose. */
function serverToken(secret: string): Promise<string> {
  return new jose.SignJWT({ server: true }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(secret));
}

function preflight(path: string, method: string, origin = PAGE): Promise<Response> {
  return fetch(emulator.url + path, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization,api-key,content-type' },
  });
}

function connect(origin: string | undefined, token = aliceToken): Promise<Response> {
  const headers: Record<string, string> = { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  if (origin !== undefined) headers['Origin'] = origin;
  return fetch(emulator.url + '/v1/connect', { method: 'POST', headers, body: JSON.stringify({ user_id: 'alice' }) });
}

describe('client routes, from an allowed origin', () => {
  test.each([
    ['/v1/connect', 'POST'],
    ['/v1/guest', 'POST'],
    ['/v1/me', 'PATCH'],
    ['/v1/users/bob', 'GET'],
  ])('a preflight of %s %s answers 204 with the allow headers', async (path, method) => {
    const res = await preflight(path, method);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-methods')).toContain(method);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-connection-id');
    expect(res.headers.get('vary')).toBe('Origin');
  });

  test('the request itself is answered with Access-Control-Allow-Origin, and its headers exposed', async () => {
    const res = await connect(PAGE);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  test('an error answer carries the CORS headers too, so the page can read the code', async () => {
    const res = await connect(PAGE, 'not.a.token');
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(((await res.json()) as { code: number }).code).toBe(43);
  });
});

describe('refused cross-origin use', () => {
  test('a preflight from an origin not in the list is refused (403, code 17) without CORS headers', async () => {
    const res = await preflight('/v1/connect', 'POST', 'http://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(17);
    expect(body.message).toContain('origin http://evil.example is not allowed');
    expect(body.message).toContain(PAGE);
  });

  test('a request from an origin not in the list is refused before it runs', async () => {
    const res = await connect('http://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test.each([
    ['/v1/app', 'GET'],
    ['/v1/users', 'POST'],
    ['/v1/users/alice/token', 'POST'],
    ['/_emulator/writes', 'GET'],
  ])('a preflight of the admin route %s %s is refused, even from an allowed origin', async (path, method) => {
    const res = await preflight(path, method);
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await res.json()) as { message: string }).message).toContain('cross-origin requests are not allowed on admin routes');
  });

  test('an admin call with a server token from a page is refused, even on GET /v1/users/:id (a client route too)', async () => {
    const token = await serverToken(emulator.apiSecret);
    for (const path of ['/v1/app', '/v1/users/alice']) {
      const res = await fetch(emulator.url + path, { headers: { Origin: PAGE, 'Api-Key': emulator.apiKey, Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(((await res.json()) as { code: number }).code).toBe(17);
    }
  });

  test('GET /v1/users/:id with a user token from an allowed page is a client call, allowed', async () => {
    const res = await fetch(emulator.url + '/v1/users/alice', { headers: { Origin: PAGE, 'Api-Key': emulator.apiKey, Authorization: `Bearer ${aliceToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
  });
});

describe('without corsOrigins (the default)', () => {
  let plain: Emulator;
  beforeAll(async () => {
    plain = await startEmulator({ apiKey: 'k', apiSecret: 'plain-secret-0123456789abcdef0123' });
  });
  afterAll(() => plain.close());

  test('no origin may call a client route from a page', async () => {
    const res = await fetch(plain.url + '/v1/connect', { method: 'OPTIONS', headers: { Origin: PAGE, 'Access-Control-Request-Method': 'POST' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('allowed now: none');
  });

  test('servers (no Origin) and same-origin pages are not cross-origin: admin calls work as before', async () => {
    const admin = new ServerClient({ apiKey: 'k', apiSecret: 'plain-secret-0123456789abcdef0123', baseUrl: plain.url });
    await expect(admin.getApp()).resolves.toMatchObject({ disable_auth_checks: false });
    const sameOrigin = await fetch(plain.url + '/v1/app', { headers: { Origin: plain.url, 'Api-Key': 'k', Authorization: `Bearer ${await serverToken('plain-secret-0123456789abcdef0123')}` } });
    expect(sameOrigin.status).toBe(200);
  });

  test('an OPTIONS that is not a preflight still answers 405', async () => {
    expect((await fetch(plain.url + '/v1/connect', { method: 'OPTIONS' })).status).toBe(405);
  });
});

test('"*" allows any origin on client routes, still never on admin routes', async () => {
  const any = await startEmulator({ corsOrigins: '*' });
  try {
    const ok = await fetch(any.url + '/v1/connect', { method: 'OPTIONS', headers: { Origin: 'http://anything.test:8080', 'Access-Control-Request-Method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://anything.test:8080');
    const admin = await fetch(any.url + '/v1/app', { method: 'OPTIONS', headers: { Origin: 'http://anything.test:8080', 'Access-Control-Request-Method': 'GET' } });
    expect(admin.status).toBe(403);
  } finally {
    await any.close();
  }
});

test.each<[unknown]>([[['http://localhost:3000/']], [['localhost:3000']], [['http://a.test/path']], ['all'], [[42]]])('corsOrigins %p is refused with a ConfigError', async (corsOrigins) => {
  // @ts-expect-error: wrong on purpose
  await expect(startEmulator({ corsOrigins })).rejects.toThrow(ConfigError);
  // @ts-expect-error: wrong on purpose
  await expect(startEmulator({ corsOrigins })).rejects.toThrow(/corsOrigins/);
});
