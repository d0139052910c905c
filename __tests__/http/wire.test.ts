import { jwtVerify } from 'jose';
import nock from 'nock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApiError, ArgumentError, ResponseShapeError, ServerClient, type RequestLogRecord } from 'tokenkit';
import { API_KEY, SECRET, type Seen, intercept, wireApp, wireClient, wireError, wireUser } from '../support/nock';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** The headers every admin request carries, checked exactly; the server token verified with the secret. */
async function expectAdminHeaders(s: Seen, withBody: boolean): Promise<void> {
  expect(s.headers['api-key']).toBe(API_KEY);
  expect(s.headers['user-agent']).toBe(`tokenkit/${VERSION} node/${process.versions.node}`);
  expect(s.headers['accept']).toBe('application/json');
  const auth = s.headers['authorization'] ?? '';
  expect(auth.startsWith('Bearer ')).toBe(true);
  const { payload, protectedHeader } = await jwtVerify(auth.slice(7), new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
  expect(protectedHeader.alg).toBe('HS256');
  expect(payload['server']).toBe(true);
  expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
  if (withBody) {
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.headers['idempotency-key']).toMatch(UUID);
  } else {
    expect(s.headers['content-type']).toBeUndefined();
    expect(s.headers['idempotency-key']).toBeUndefined();
    expect(s.body).toBeUndefined();
  }
  expect(s.path).not.toMatch(/api_key|\?/);
}

describe('the wire: method, path, headers and body of every call', () => {
  test('getApp: GET /v1/app, decoded with Dates', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/app', { status: 200, body: { app: wireApp({ revoke_tokens_issued_before: '2026-01-01T00:00:00.000Z', new_field: 1 }) } }, seen);
    const app = await wireClient().getApp();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    await expectAdminHeaders(seen[0] as Seen, false);
    expect(app.revoke_tokens_issued_before).toEqual(new Date('2026-01-01T00:00:00.000Z'));
    expect(app['new_field']).toBe(1); // lenient to fields a newer platform adds
  });

  test('updateApp({ revoke_tokens_issued_before: null }): PATCH /v1/app with null', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/app', { status: 200, body: { app: wireApp() } }, seen);
    await wireClient().updateApp({ revoke_tokens_issued_before: null });
    await expectAdminHeaders(seen[0] as Seen, true);
    expect(seen[0]?.body).toBe('{"revoke_tokens_issued_before":null}');
  });

  test('revokeAppTokens(date) and restoreAppTokens(): PATCH /v1/app with the RFC 3339 cutoff, then null', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/app', { status: 200, body: { app: wireApp({ revoke_tokens_issued_before: '2026-02-03T04:05:06.789Z' }) } }, seen);
    intercept('PATCH', '/v1/app', { status: 200, body: { app: wireApp() } }, seen);
    const client = wireClient();
    const app = await client.revokeAppTokens(new Date('2026-02-03T04:05:06.789Z'));
    expect(app.revoke_tokens_issued_before).toEqual(new Date('2026-02-03T04:05:06.789Z'));
    await client.restoreAppTokens();
    expect(seen.map((s) => s.body)).toEqual(['{"revoke_tokens_issued_before":"2026-02-03T04:05:06.789Z"}', '{"revoke_tokens_issued_before":null}']);
    expect(seen[0]?.headers['idempotency-key']).not.toBe(seen[1]?.headers['idempotency-key']);
  });

  test('getUser: GET /v1/users/{id}, the id encoded', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/users/a%40b.c', { status: 200, body: { user: wireUser('a@b.c', { name: 'A', team: 'x' }) } }, seen);
    const user = await wireClient().getUser('a@b.c');
    await expectAdminHeaders(seen[0] as Seen, false);
    expect(user).toMatchObject({ id: 'a@b.c', name: 'A', team: 'x', created_at: new Date('2026-01-01T00:00:00.000Z') });
  });

  test('upsertUsers: POST /v1/users, 100 users per request, each with its own key', async () => {
    const seen: Seen[] = [];
    const users = Array.from({ length: 250 }, (_, i) => ({ id: `u${i}`, name: `User ${i}`, plan: 'pro' }));
    for (const [from, to] of [[0, 100], [100, 200], [200, 250]] as const) {
      const answer = Object.fromEntries(users.slice(from, to).map((u) => [u.id, wireUser(u.id, { name: u.name, plan: u.plan })]));
      intercept('POST', '/v1/users', { status: 201, body: { users: answer } }, seen);
    }
    const res = await wireClient().upsertUsers(users);
    expect(seen).toHaveLength(3);
    for (const s of seen) await expectAdminHeaders(s, true);
    const bodies = seen.map((s) => JSON.parse(s.body ?? '') as { users: unknown[] });
    expect(bodies.map((b) => b.users.length)).toEqual([100, 100, 50]);
    expect(bodies[0]?.users[0]).toEqual({ id: 'u0', name: 'User 0', plan: 'pro' });
    expect(bodies.flatMap((b) => b.users)).toEqual(users);
    expect(new Set(seen.map((s) => s.headers['idempotency-key'])).size).toBe(3);
    expect(Object.keys(res.users)).toHaveLength(250);
  });

  test('the seed snippet: updateUsersPartial with a Date, then with null', async () => {
    const seen: Seen[] = [];
    const now = new Date();
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { user1: wireUser('user1', { revoke_tokens_issued_before: now.toISOString() }) } } }, seen);
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { user1: wireUser('user1') } } }, seen);
    const client = wireClient();
    const res = await client.updateUsersPartial({ users: [{ id: 'user1', set: { revoke_tokens_issued_before: now } }] });
    expect(res.users['user1']?.revoke_tokens_issued_before).toEqual(now);
    const undo = await client.updateUsersPartial({ users: [{ id: 'user1', set: { revoke_tokens_issued_before: null } }] });
    expect(undo.users['user1']?.revoke_tokens_issued_before).toBeNull();
    await expectAdminHeaders(seen[0] as Seen, true);
    expect(seen[0]?.body).toBe(`{"users":[{"id":"user1","set":{"revoke_tokens_issued_before":"${now.toISOString()}"}}]}`);
    expect(seen[1]?.body).toBe('{"users":[{"id":"user1","set":{"revoke_tokens_issued_before":null}}]}');
  });

  test('updateUsersPartial over 100 users: batches of 100, every user answered', async () => {
    const seen: Seen[] = [];
    const ids = Array.from({ length: 201 }, (_, i) => `p${i}`);
    for (const [from, to] of [[0, 100], [100, 200], [200, 201]] as const) {
      intercept('PATCH', '/v1/users', { status: 200, body: { users: Object.fromEntries(ids.slice(from, to).map((id) => [id, wireUser(id, { score: 1 })])) } }, seen);
    }
    const res = await wireClient().updateUsersPartial({ users: ids.map((id) => ({ id, set: { score: 1 }, unset: ['old'] })) });
    expect(seen.map((s) => (JSON.parse(s.body ?? '') as { users: unknown[] }).users.length)).toEqual([100, 100, 1]);
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({ users: [{ id: 'p200', set: { score: 1 }, unset: ['old'] }] });
    expect(Object.keys(res.users).sort()).toEqual([...ids].sort());
  });

  test('revokeUserTokens and restoreUserTokens: PATCH /v1/users with the cutoff, then null', async () => {
    const seen: Seen[] = [];
    const before = new Date('2026-03-01T10:00:00.123Z');
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { a: wireUser('a'), b: wireUser('b') } } }, seen);
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { a: wireUser('a') } } }, seen);
    const client = wireClient();
    const res = await client.revokeUserTokens(['a', 'b'], before);
    expect(res.revokeTokensIssuedBefore).toEqual(before);
    await client.restoreUserTokens('a');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      users: [
        { id: 'a', set: { revoke_tokens_issued_before: '2026-03-01T10:00:00.123Z' } },
        { id: 'b', set: { revoke_tokens_issued_before: '2026-03-01T10:00:00.123Z' } },
      ],
    });
    expect(seen[1]?.body).toBe('{"users":[{"id":"a","set":{"revoke_tokens_issued_before":null}}]}');
  });

  test('revokeUserTokens without a date: the cutoff is now, after every token this client minted', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { a: wireUser('a') } } }, seen);
    const client = wireClient();
    const minted = client.generateUserToken({ user_id: 'a' });
    const iatMs = Math.round((JSON.parse(Buffer.from(minted.split('.')[1] ?? '', 'base64url').toString()) as { iat: number }).iat * 1000);
    const res = await client.revokeUserTokens('a');
    expect(res.revokeTokensIssuedBefore.getTime()).toBeGreaterThanOrEqual(iatMs);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ users: [{ id: 'a', set: { revoke_tokens_issued_before: res.revokeTokensIssuedBefore.toISOString() } }] });
  });

  test('rotateUserToken: GET the app (its cutoff applies too), PATCH the cutoff, then a token minted after it', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/app', { status: 200, body: { app: wireApp() } }, []);
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { a: wireUser('a') } } }, seen);
    const client = wireClient();
    const old = client.generateUserToken({ user_id: 'a' });
    const rotated = await client.rotateUserToken('a', { validity_in_seconds: 600, claims: { scope: 'chat' } });
    const body = JSON.parse(seen[0]?.body ?? '') as { users: Array<{ set: { revoke_tokens_issued_before: string } }> };
    const cutoffMs = Date.parse(body.users[0]?.set.revoke_tokens_issued_before ?? '');
    expect(rotated.revokeTokensIssuedBefore.getTime()).toBe(cutoffMs);
    const { payload } = await jwtVerify(rotated.token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ user_id: 'a', scope: 'chat' });
    expect(Math.round((payload.iat ?? 0) * 1000)).toBeGreaterThan(cutoffMs);
    expect((payload.exp ?? 0) - Math.floor(payload.iat ?? 0)).toBe(600);
    await expect(client.verifyUserToken(old, { revokedBefore: { user: rotated.revokeTokensIssuedBefore } })).rejects.toMatchObject({ code: 44 });
    await expect(client.verifyUserToken(rotated.token, { revokedBefore: { user: rotated.revokeTokensIssuedBefore } })).resolves.toMatchObject({ user_id: 'a' });
  });

  test('issueToken: POST /v1/users/{id}/token with {} or { expires_at }', async () => {
    const seen: Seen[] = [];
    const exp = Date.UTC(2030, 0, 1);
    intercept('POST', '/v1/users/alice/token', { status: 201, body: { token: 'tok-1', expires_at: exp } }, seen);
    intercept('POST', '/v1/users/alice/token', { status: 201, body: { token: 'tok-2', expires_at: exp } }, seen);
    const client = wireClient();
    await expect(client.issueToken('alice')).resolves.toEqual({ token: 'tok-1', expiresAt: new Date(exp) });
    await expect(client.issueToken('alice', { expiresAt: new Date(exp) })).resolves.toEqual({ token: 'tok-2', expiresAt: new Date(exp) });
    for (const s of seen) await expectAdminHeaders(s, true);
    expect(seen.map((s) => s.body)).toEqual(['{}', `{"expires_at":${exp}}`]);
  });

  test('issueToken in compatibility mode: GET the user, PUT it back unchanged with issue_session_token', async () => {
    const seen: Seen[] = [];
    const exp = Date.UTC(2030, 0, 1);
    intercept('GET', '/v1/users/alice', { status: 200, body: { user: wireUser('alice', { name: 'Alice', plan: 'pro', role: 'admin' }) } }, seen);
    intercept('PUT', '/v1/users/alice', { status: 200, body: { user: wireUser('alice'), session_tokens: [{ session_token: 'jwt-x', expires_at: exp }] } }, seen);
    const client = wireClient({ compatibilityMode: true });
    await expect(client.issueToken('alice', { expiresAt: new Date(exp) })).resolves.toEqual({ token: 'jwt-x', expiresAt: new Date(exp) });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /v1/users/alice', 'PUT /v1/users/alice']);
    await expectAdminHeaders(seen[1] as Seen, true);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ name: 'Alice', plan: 'pro', issue_session_token: true, session_token_expires_at: exp });
  });

  test('compatibility mode per call, for a user that does not exist yet: the PUT creates it', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/users/new', { status: 404, body: wireError(16, 404, 'user "new" not found') }, seen);
    intercept('PUT', '/v1/users/new', { status: 201, body: { user: wireUser('new'), session_tokens: [{ session_token: 's', expires_at: Date.UTC(2030, 0, 1) }] } }, seen);
    await expect(wireClient().issueToken('new', { compatibilityMode: true })).resolves.toMatchObject({ token: 's' });
    expect(seen[1]?.body).toBe('{"issue_session_token":true}');
  });

  test('compatibility mode while the app has it off: an error that says what to change', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/users/alice', { status: 200, body: { user: wireUser('alice') } }, seen);
    intercept('PUT', '/v1/users/alice', { status: 400, body: wireError(4, 400, 'issue_session_token needs jwt_compatibility_mode') }, seen);
    intercept('GET', '/v1/app', { status: 200, body: { app: wireApp() } }, seen);
    const err = await wireClient({ compatibilityMode: true }).issueToken('alice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 4, status: 400, requestId: 'req-2' });
    expect((err as Error).message).toMatch(/updateApp\(\{ jwt_compatibility_mode: true \}\)/);
    expect((err as Error).message).toMatch(/drop compatibilityMode/);
    expect((err as Error).message).toMatch(/Nothing was changed/);
  });

  test('revokeAllTokens: DELETE /v1/users/{id}/token without a body', async () => {
    const seen: Seen[] = [];
    intercept('DELETE', '/v1/users/alice/token', { status: 200, body: { revoke_tokens_issued_before: '2026-05-05T05:05:05.555Z' } }, seen);
    await expect(wireClient().revokeAllTokens('alice')).resolves.toEqual({ revokeTokensIssuedBefore: new Date('2026-05-05T05:05:05.555Z') });
    await expectAdminHeaders(seen[0] as Seen, false);
  });
});

describe('errors from responses', () => {
  test('an error body becomes an ApiError with code, status, request id; secrets redacted', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/users/nobody', { status: 404, body: { ...wireError(16, 404, 'user "nobody" not found'), more_info: 'https://docs' } }, seen);
    const err = (await wireClient().getUser('nobody').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ name: 'ApiError', code: 16, status: 404, requestId: 'req-1', moreInfo: 'https://docs', method: 'GET', path: '/v1/users/nobody' });
    expect(err.message).toBe('user "nobody" not found (GET /v1/users/nobody, request req-1)');
    expect(err.requestHeaders['Api-Key']).toBe('[redacted]');
    expect(err.requestHeaders['Authorization']).toBe('[redacted]');
    expect(err.requestHeaders['User-Agent']).toMatch(/^tokenkit\//);
    const shown = `${inspect(err, { depth: 10 })} ${JSON.stringify(err)} ${err.stack}`;
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(API_KEY);
    expect(shown).not.toContain(seen[0]?.headers['authorization']?.slice(7));
  });

  test('429 with maxRetries 0: the rate-limit figures', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/app', {
      status: 429,
      body: wireError(9, 429, 'rate limited'),
      headers: { 'Retry-After': '3', 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1767225600' },
    }, seen);
    const err = await wireClient({ maxRetries: 0 }).getApp().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 9, status: 429, rateLimit: { limit: 100, remaining: 0, reset: new Date(1767225600 * 1000), retryAfterSeconds: 3 } });
  });

  test('a non-JSON error body is still an ApiError, code ERR_NOT_PLATFORM_BODY, the body not copied', async () => {
    nock('https://platform.test').get('/v1/app').reply(502, '<html>bad gateway secret-page</html>', { 'Content-Type': 'text/html' });
    const err = (await wireClient({ maxRetries: 0 }).getApp().catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ code: 'ERR_NOT_PLATFORM_BODY', status: 502 });
    expect(err.message).not.toContain('secret-page');
  });

  test('a 2xx body that breaks the contract is a ResponseShapeError naming the field', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/users/a', { status: 200, body: { user: { ...wireUser('a'), created_at: 'yesterday' } } }, seen);
    const err = (await wireClient().getUser('a').catch((e: unknown) => e)) as ResponseShapeError;
    expect(err).toBeInstanceOf(ResponseShapeError);
    expect(err.code).toBe('ERR_RESPONSE_SHAPE');
    expect(err.requestId).toBe('req-1');
    expect(err.issues.map((i) => i.path)).toEqual(['user.created_at']);
  });

  test('a 2xx body that is not JSON is a ResponseShapeError', async () => {
    nock('https://platform.test').get('/v1/app').reply(200, 'not json');
    await expect(wireClient().getApp()).rejects.toBeInstanceOf(ResponseShapeError);
  });
});

describe('the logger', () => {
  test('one record per attempt, with no header value, token or body', async () => {
    const seen: Seen[] = [];
    const records: RequestLogRecord[] = [];
    intercept('PATCH', '/v1/users', { status: 200, body: { users: { a: wireUser('a') } } }, seen);
    intercept('GET', '/v1/users/zz', { status: 404, body: wireError(16, 404, 'nope') }, seen);
    const client = wireClient({ logger: (r) => records.push(r) });
    await client.updateUsersPartial({ users: [{ id: 'a', set: { secret_note: 'body-content-xyz' } }] });
    await client.getUser('zz').catch(() => undefined);
    expect(records).toEqual([
      { method: 'PATCH', path: '/v1/users', status: 200, ms: expect.any(Number), attempt: 1, requestId: 'req-1' },
      { method: 'GET', path: '/v1/users/zz', status: 404, ms: expect.any(Number), attempt: 1, requestId: 'req-2' },
    ]);
    const text = JSON.stringify(records);
    for (const forbidden of [API_KEY, SECRET, 'Bearer', 'body-content-xyz', seen[0]?.headers['idempotency-key'] ?? 'x', 'tokenkit/']) {
      expect(text).not.toContain(forbidden);
    }
  });

  test('a logger that throws does not fail the request', async () => {
    intercept('GET', '/v1/app', { status: 200, body: { app: wireApp() } }, []);
    const client = wireClient({ logger: () => { throw new Error('logger down'); } });
    await expect(client.getApp()).resolves.toMatchObject({ jwt_enabled: true });
  });
});

describe('input is refused before any network call', () => {
  const fetchSpy = jest.fn();
  const client = wireClient({ fetch: fetchSpy });
  afterEach(() => expect(fetchSpy).not.toHaveBeenCalled());

  test.each<[string, () => Promise<unknown>, string]>([
    ['getUser bad id', () => client.getUser('not valid!'), 'userId'],
    ['getUser empty id', () => client.getUser(''), 'userId'],
    ['updateUsersPartial system field', () => client.updateUsersPartial({ users: [{ id: 'a', set: { created_at: new Date() } }] }), 'users.0.set.created_at'],
    ['updateUsersPartial revoke as a string', () => client.updateUsersPartial({ users: [{ id: 'a', set: { revoke_tokens_issued_before: '2026-01-01' as unknown as Date } }] }), 'users.0.set.revoke_tokens_issued_before'],
    ['updateUsersPartial duplicates across batches', () => client.updateUsersPartial({ users: [...Array.from({ length: 150 }, (_, i) => ({ id: `u${i}`, set: { x: 1 } })), { id: 'u3', set: { x: 2 } }] }), 'users.150.id'],
    ['updateUsersPartial empty', () => client.updateUsersPartial({ users: [] }), 'users'],
    ['updateUsersPartial unknown key', () => client.updateUsersPartial({ users: [{ id: 'a', set: {} }], extra: 1 } as never), 'extra'],
    ['upsertUsers revoke field', () => client.upsertUsers([{ id: 'a', revoke_tokens_issued_before: null }]), 'users.0.revoke_tokens_issued_before'],
    ['upsertUsers not an array', () => client.upsertUsers('a' as never), 'users'],
    ['updateApp unknown setting', () => client.updateApp({ jwt_enabled: true, colour: 'red' } as never), 'colour'],
    ['updateApp empty', () => client.updateApp({}), ''],
    ['revokeAppTokens without a date', () => client.revokeAppTokens(undefined as unknown as Date), 'before'],
    ['revokeAppTokens invalid date', () => client.revokeAppTokens(new Date('nope')), 'before'],
    ['revokeUserTokens empty list', () => client.revokeUserTokens([]), 'userIdOrIds'],
    ['revokeUserTokens bad id in list', () => client.revokeUserTokens(['ok', 'bad id']), 'userIdOrIds.1'],
    ['restoreUserTokens bad id', () => client.restoreUserTokens('x/y'), 'userIdOrIds'],
    ['rotateUserToken bad validity', () => client.rotateUserToken('a', { validity_in_seconds: -5 }), 'validity_in_seconds'],
    ['rotateUserToken reserved claim', () => client.rotateUserToken('a', { claims: { iat: 1 } }), 'claims.iat'],
    ['rotateUserToken unknown option', () => client.rotateUserToken('a', { validity: 5 } as never), 'validity'],
    ['issueToken expiresAt in the past', () => client.issueToken('a', { expiresAt: new Date(Date.now() - 1000) }), 'expiresAt'],
    ['issueToken expiresAt not a date', () => client.issueToken('a', { expiresAt: 123 as unknown as Date }), 'expiresAt'],
    ['issueToken unknown option', () => client.issueToken('a', { ttl: 5 } as never), 'ttl'],
    ['revokeAllTokens bad id', () => client.revokeAllTokens('../app'), 'userId'],
    ['request options: bad timeout', () => client.getApp({ timeoutMs: -1 }), 'timeoutMs'],
    ['request options: bad signal', () => client.getApp({ signal: 'stop' as never }), 'signal'],
  ])('%s', async (_name, call, path) => {
    const err = await call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    // An unknown key is reported on the object, with the key named in the message.
    const named = (err as ArgumentError).issues.some((i) => i.path === path || (i.path === '' && i.message.includes(`"${path}"`)));
    expect(named).toBe(true);
    expect((err as Error).message).toContain(path);
  });

  test('the methods reject, never throw synchronously', () => {
    let thrown = false;
    let promise: Promise<unknown> | undefined;
    try {
      promise = client.getUser('bad id!');
    } catch {
      thrown = true;
    }
    expect(thrown).toBe(false);
    return expect(promise).rejects.toBeInstanceOf(ArgumentError);
  });
});

test('without a base URL, an HTTP call rejects with a ConfigError naming the option', async () => {
  const client = new ServerClient({ apiKey: API_KEY, apiSecret: SECRET });
  await expect(client.getApp()).rejects.toMatchObject({ name: 'ConfigError', code: 'ERR_CONFIG', issues: [{ path: 'baseUrl', message: 'needed for HTTP calls' }] });
});
