import nock from 'nock';
import { ArgumentError, type RequestLogRecord, type RequestOptions, type ServerClient, type WriteOptions } from 'tokenkit';
import { type Seen, intercept, flushUntil, wireApp, wireClient, wireError, wireUser } from '../support/nock';

// A key the caller chose is sent, unchanged, on every attempt of the one request it names, and a
// bad key is refused before anything is sent. Fake timers drive the backoff between attempts.

beforeAll(() => nock.disableNetConnect());
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
afterEach(() => {
  jest.useRealTimers();
  nock.abortPendingRequests();
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const CUTOFF = new Date('2026-01-01T00:00:00.000Z');
const EXPIRES = new Date('2099-01-01T00:00:00.000Z');
// Every kind of character the rule allows: letters, digits, punctuation, `/` and `~`.
const KEY = 'job-42/batch:7~run!{a}';
const busy = { status: 503, body: wireError(-1, 503, 'busy') };
const usersOk = { status: 200, body: { users: { a: wireUser('a') } } };

/**
 * Runs `call` on a client with two retries, waiting for each attempt of `method` (the logger's
 * record) before moving the fake clock past the longest backoff: the clock never runs ahead of a
 * reply, so no attempt times out. Resolves to the call's outcome (an error too).
 */
async function withRetries(method: Method, call: (c: ServerClient) => Promise<unknown>): Promise<unknown> {
  const records: RequestLogRecord[] = [];
  const done = call(wireClient({ maxRetries: 2, logger: (r) => records.push(r) })).catch((e: unknown) => e);
  for (let attempt = 1; attempt <= 2; attempt++) {
    await flushUntil(() => records.filter((r) => r.method === method).length === attempt, `attempt ${attempt}`);
    await jest.advanceTimersByTimeAsync(500 * 2 ** (attempt - 1)); // full jitter stays below this
  }
  return done;
}

interface WriteCase {
  name: string;
  method: Method;
  path: string;
  ok: { status: number; body: unknown };
  call: (c: ServerClient, options: WriteOptions) => Promise<unknown>;
  /** The exact body sent (undefined: none). */
  body: string | undefined;
}

const writes: WriteCase[] = [
  {
    name: 'updateApp',
    method: 'PATCH',
    path: '/v1/app',
    ok: { status: 200, body: { app: wireApp() } },
    call: (c, o) => c.updateApp({ disable_auth_checks: false }, o),
    body: '{"disable_auth_checks":false}',
  },
  {
    name: 'updateUsersPartial',
    method: 'PATCH',
    path: '/v1/users',
    ok: usersOk,
    call: (c, o) => c.updateUsersPartial({ users: [{ id: 'a', set: { name: 'A' } }] }, o),
    body: '{"users":[{"id":"a","set":{"name":"A"}}]}',
  },
  {
    name: 'revokeUserTokens (a fixed cutoff)',
    method: 'PATCH',
    path: '/v1/users',
    ok: usersOk,
    call: (c, o) => c.revokeUserTokens(['a'], CUTOFF, o),
    body: '{"users":[{"id":"a","set":{"revoke_tokens_issued_before":"2026-01-01T00:00:00.000Z"}}]}',
  },
  {
    name: 'restoreUserTokens',
    method: 'PATCH',
    path: '/v1/users',
    ok: usersOk,
    call: (c, o) => c.restoreUserTokens('a', o),
    body: '{"users":[{"id":"a","set":{"revoke_tokens_issued_before":null}}]}',
  },
  {
    name: 'issueToken',
    method: 'POST',
    path: '/v1/users/a/token',
    ok: { status: 200, body: { token: 'tok', expires_at: EXPIRES.getTime() } },
    call: (c, o) => c.issueToken('a', { ...o, expiresAt: EXPIRES }),
    body: `{"expires_at":${EXPIRES.getTime()}}`,
  },
  {
    name: 'revokeAllTokens (a DELETE: the key without a body)',
    method: 'DELETE',
    path: '/v1/users/a/token',
    ok: { status: 200, body: { revoke_tokens_issued_before: '2026-01-01T00:00:00.000Z' } },
    call: (c, o) => c.revokeAllTokens('a', o),
    body: undefined,
  },
];

describe('a given idempotencyKey is sent on every attempt', () => {
  test.each(writes)('$name: two 503s, then 200; the same key and bytes three times', async (w) => {
    const seen: Seen[] = [];
    intercept(w.method, w.path, busy, seen);
    intercept(w.method, w.path, busy, seen);
    intercept(w.method, w.path, w.ok, seen);
    const outcome = await withRetries(w.method, (c) => w.call(c, { idempotencyKey: KEY }));
    expect(outcome).not.toBeInstanceOf(Error);
    expect(seen.map((s) => [s.method, s.path, s.headers['idempotency-key'], s.body])).toEqual([
      [w.method, w.path, KEY, w.body],
      [w.method, w.path, KEY, w.body],
      [w.method, w.path, KEY, w.body],
    ]);
  });

  test('issueToken in compatibility mode: the key is on every PUT, not on the GET before it', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/users/a', { status: 200, body: { user: wireUser('a', { name: 'A', plan: 'pro' }) } }, seen);
    intercept('PUT', '/v1/users/a', busy, seen);
    intercept('PUT', '/v1/users/a', busy, seen);
    const session = { session_token: 'tok', expires_at: EXPIRES.getTime() };
    intercept('PUT', '/v1/users/a', { status: 200, body: { user: wireUser('a'), session_tokens: [session] } }, seen);
    const outcome = await withRetries('PUT', (c) => c.issueToken('a', { compatibilityMode: true, idempotencyKey: KEY }));
    expect(outcome).toEqual({ token: 'tok', expiresAt: EXPIRES });
    const put = '{"name":"A","issue_session_token":true,"plan":"pro"}';
    expect(seen.map((s) => [s.method, s.headers['idempotency-key'], s.body])).toEqual([
      ['GET', undefined, undefined],
      ['PUT', KEY, put],
      ['PUT', KEY, put],
      ['PUT', KEY, put],
    ]);
  });

  test('a key of 255 characters is sent whole', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/app', { status: 200, body: { app: wireApp() } }, seen);
    const key = 'k'.repeat(255);
    await wireClient().updateApp({ jwt_enabled: true }, { idempotencyKey: key });
    expect(seen[0]?.headers['idempotency-key']).toBe(key);
  });

  test('without a key, revokeAllTokens still sends none (a DELETE has no body)', async () => {
    const seen: Seen[] = [];
    intercept('DELETE', '/v1/users/a/token', { status: 200, body: { revoke_tokens_issued_before: '2026-01-01T00:00:00.000Z' } }, seen);
    await wireClient().revokeAllTokens('a');
    expect(seen[0]?.headers['idempotency-key']).toBeUndefined();
  });
});

describe('refused before any request', () => {
  const badKeys: Array<[string, unknown]> = [
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'job 42'],
    ['a leading space', ' job'],
    ['a newline', 'job\n42'],
    ['a tab', 'job\t42'],
    ['non-ASCII', 'café'],
    ['a control character', 'job\u007f'],
    ['a number', 42],
    ['null', null],
  ];
  const cases = writes.flatMap((w) => badKeys.map(([what, key]) => ({ method: w.name, what, key, call: w.call })));
  cases.push(
    ...badKeys.map(([what, key]) => ({
      method: 'issueToken (compatibility mode)',
      what,
      key,
      call: (c: ServerClient, o: WriteOptions) => c.issueToken('a', { ...o, compatibilityMode: true }),
    })),
  );

  test.each(cases)('$method with $what: an ArgumentError naming idempotencyKey', async ({ key, call }) => {
    const fetchSpy = jest.fn();
    const err = await call(wireClient({ fetch: fetchSpy }), { idempotencyKey: key } as WriteOptions).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).issues.map((i) => i.path)).toEqual(['idempotencyKey']);
    expect((err as ArgumentError).message).toMatch(/idempotencyKey/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  const ids = Array.from({ length: 101 }, (_, i) => `u${i}`);
  test.each([
    ['updateUsersPartial', (c: ServerClient) => c.updateUsersPartial({ users: ids.map((id) => ({ id, set: { name: id } })) }, { idempotencyKey: KEY })],
    ['revokeUserTokens', (c: ServerClient) => c.revokeUserTokens(ids, CUTOFF, { idempotencyKey: KEY })],
    ['restoreUserTokens', (c: ServerClient) => c.restoreUserTokens(ids, { idempotencyKey: KEY })],
  ])('%s over 100 users with a key: refused, each request would need its own', async (name, call) => {
    const fetchSpy = jest.fn();
    const err = (await call(wireClient({ fetch: fetchSpy })).catch((e: unknown) => e)) as ArgumentError;
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err.issues.map((i) => i.path)).toEqual(['idempotencyKey']);
    expect(err.message).toContain(`${name}: idempotencyKey names one request, but 101 users go in 2 requests`);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  test('revokeUserTokens with a key but no before: refused, a repeat would send another cutoff', async () => {
    const fetchSpy = jest.fn();
    const err = (await wireClient({ fetch: fetchSpy }).revokeUserTokens('a', undefined, { idempotencyKey: KEY }).catch((e: unknown) => e)) as ArgumentError;
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err.issues).toEqual([{ path: 'before', message: 'required with idempotencyKey' }]);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  test('revokeAppTokens and restoreAppTokens take no key (their options are RequestOptions)', async () => {
    const fetchSpy = jest.fn();
    const client = wireClient({ fetch: fetchSpy });
    const withKey = { idempotencyKey: KEY } as RequestOptions;
    for (const call of [() => client.revokeAppTokens(CUTOFF, withKey), () => client.restoreAppTokens(withKey)]) {
      const err = (await call().catch((e: unknown) => e)) as ArgumentError;
      expect(err).toBeInstanceOf(ArgumentError);
      expect(err.message).toMatch(/unrecognized key.*"idempotencyKey"/i);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
