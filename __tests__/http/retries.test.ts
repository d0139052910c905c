import nock from 'nock';
import { AbortError, ApiError, ConnectionError, type FetchLike, ServerClient, TimeoutError, type RequestLogRecord } from 'tokenkit';
import { BASE, type Seen, flush, intercept, settle, flushUntil, wireApp, wireClient, wireError, wireUser } from '../support/nock';

// Fake timers drive the backoff waits and the per-attempt timeouts: no test here really waits.
beforeAll(() => nock.disableNetConnect());
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
afterEach(() => {
  jest.useRealTimers();
  nock.abortPendingRequests(); // nock's delayed replies wait on real timers
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

const ok = { status: 200, body: { users: { a: wireUser('a') } } };
const patch = { users: [{ id: 'a', set: { revoke_tokens_issued_before: new Date('2026-01-01T00:00:00.000Z') } }] };

describe('retries', () => {
  test('a 503 then a 200: retried after the backoff, same body and Idempotency-Key', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/users', { status: 503, body: wireError(-1, 503, 'busy') }, seen);
    intercept('PATCH', '/v1/users', ok, seen);
    const records: RequestLogRecord[] = [];
    const done = wireClient({ logger: (r) => records.push(r) }).updateUsersPartial(patch);
    await flushUntil(() => records.length === 1, 'the first attempt');
    expect(seen).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(500); // the longest first backoff (full jitter below 500 ms)
    await flushUntil(() => records.length === 2, 'the retry');
    await expect(done).resolves.toMatchObject({ users: { a: { id: 'a' } } });
    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe(seen[0]?.body);
    expect(seen[1]?.headers['idempotency-key']).toBe(seen[0]?.headers['idempotency-key']);
    expect(records.map((r) => [r.attempt, r.status])).toEqual([[1, 503], [2, 200]]);
  });

  test('429 with Retry-After: waits exactly that long', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/app', { status: 429, body: wireError(9, 429, 'slow down'), headers: { 'Retry-After': '2' } }, seen);
    intercept('GET', '/v1/app', { status: 200, body: { app: wireApp() } }, seen);
    const records: RequestLogRecord[] = [];
    const done = wireClient({ logger: (r) => records.push(r) }).getApp();
    await flushUntil(() => records.length === 1, 'the first attempt');
    await jest.advanceTimersByTimeAsync(1999);
    await flush();
    expect(seen).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await flushUntil(() => records.length === 2, 'the retry');
    await expect(done).resolves.toMatchObject({ jwt_enabled: true });
    expect(seen).toHaveLength(2);
  });

  test('Retry-After past maxRetryAfterSeconds: fails at once, clearly', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/app', { status: 429, body: wireError(9, 429, 'slow down'), headers: { 'Retry-After': '120' } }, seen);
    const err = (await wireClient({ maxRetryAfterSeconds: 30 }).getApp().catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(9);
    expect(err.rateLimit?.retryAfterSeconds).toBe(120);
    expect(err.message).toMatch(/not retried: Retry-After is 120 s, more than maxRetryAfterSeconds \(30 s\)/);
    expect(seen).toHaveLength(1);
  });

  test('5xx on every attempt: maxRetries + 1 attempts, then the last ApiError', async () => {
    const seen: Seen[] = [];
    for (let i = 0; i < 3; i++) intercept('GET', '/v1/app', { status: 500, body: wireError(-1, 500, 'boom') }, seen);
    const err = (await settle(wireClient({ maxRetries: 2 }).getApp())) as ApiError;
    expect(err).toMatchObject({ status: 500, code: -1 });
    expect(err.message).toMatch(/after 3 attempts/);
    expect(seen).toHaveLength(3);
  });

  test('a 4xx is not retried', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/users', { status: 404, body: wireError(16, 404, 'no user') }, seen);
    await expect(wireClient().updateUsersPartial(patch)).rejects.toMatchObject({ code: 16 });
    expect(seen).toHaveLength(1);
  });

  test('a dropped connection is retried with the same key and body, then succeeds', async () => {
    const seen: Seen[] = [];
    intercept('PATCH', '/v1/users', ok, seen);
    const sent: Array<{ key: string | null; body: unknown }> = [];
    // The `fetch` option: the first attempt loses its connection, the second goes to nock.
    const flaky: FetchLike = async (url, init) => {
      sent.push({ key: new Headers(init?.headers).get('idempotency-key'), body: init?.body });
      if (sent.length === 1) throw new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
      return fetch(url, init as RequestInit);
    };
    const records: RequestLogRecord[] = [];
    const res = await settle(wireClient({ fetch: flaky, logger: (r) => records.push(r) }).updateUsersPartial(patch));
    expect(res).toMatchObject({ users: { a: { id: 'a' } } });
    expect(sent).toHaveLength(2);
    expect(sent[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]).toEqual(sent[0]);
    expect(seen[0]?.headers['idempotency-key']).toBe(sent[0]?.key);
    expect(records.map((r) => [r.attempt, r.status, r.error])).toEqual([[1, undefined, 'ConnectionError'], [2, 200, undefined]]);
  });

  test('connection failures on every attempt: a ConnectionError', async () => {
    for (let i = 0; i < 2; i++) nock(BASE).get('/v1/app').replyWithError({ code: 'ECONNREFUSED', message: 'refused' });
    const err = (await settle(wireClient({ maxRetries: 1 }).getApp())) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe('ERR_CONNECTION');
    expect(err.message).toMatch(/https:\/\/platform\.test.*GET \/v1\/app, attempt 2/);
  });

  test('the message says what failed: the system code, else the cause fetch gives (from any realm)', async () => {
    // Real fetch, no nock: port 1 is one fetch refuses to use ("bad port", under "fetch failed").
    nock.enableNetConnect('127.0.0.1:1');
    try {
      const refused = new ServerClient({ apiKey: 'key', apiSecret: 'a-secret-of-enough-length-1234567890', baseUrl: 'http://127.0.0.1:1', maxRetries: 0 });
      const err = (await settle(refused.getApp())) as ConnectionError;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err.message).toBe('Could not reach the platform at http://127.0.0.1:1 (bad port): GET /v1/app, attempt 1');
    } finally {
      nock.disableNetConnect();
    }
    nock(BASE).get('/v1/app').replyWithError({ code: 'ECONNREFUSED', message: 'refused' });
    const coded = (await settle(wireClient({ maxRetries: 0 }).getApp())) as ConnectionError;
    expect(coded.message).toMatch(/\(ECONNREFUSED\): GET \/v1\/app, attempt 1$/);
  });

  test('the caller can cancel the wait between attempts', async () => {
    const seen: Seen[] = [];
    intercept('GET', '/v1/app', { status: 503, body: wireError(-1, 503, 'busy'), headers: { 'Retry-After': '30' } }, seen);
    const controller = new AbortController();
    const records: RequestLogRecord[] = [];
    const done = wireClient({ logger: (r) => records.push(r) }).getApp({ signal: controller.signal }).catch((e: unknown) => e);
    await flushUntil(() => records.length === 1, 'the first attempt');
    controller.abort();
    const err = await done; // no timer advanced: the wait ended by the signal
    expect(err).toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(1);
  });
});

describe('timeouts and aborts', () => {
  test('an attempt that takes longer than timeoutMs is a TimeoutError, and is retried', async () => {
    const seen: Seen[] = [];
    nock(BASE).get('/v1/app').delay(10_000).reply(200, { app: wireApp() });
    intercept('GET', '/v1/app', { status: 200, body: { app: wireApp({ jwt_enabled: false }) } }, seen);
    const records: RequestLogRecord[] = [];
    const done = wireClient({ timeoutMs: 1000, logger: (r) => records.push(r) }).getApp();
    await flush();
    await jest.advanceTimersByTimeAsync(999);
    await flush();
    expect(records).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1); // the first attempt times out
    await flushUntil(() => records.length === 1, 'the timeout');
    await jest.advanceTimersByTimeAsync(500); // the backoff
    await flushUntil(() => records.length === 2, 'the retry');
    await expect(done).resolves.toMatchObject({ jwt_enabled: false });
    expect(records.map((r) => r.error)).toEqual(['TimeoutError', undefined]);
  });

  test('every attempt timing out: a TimeoutError, not an AbortError', async () => {
    nock(BASE).get('/v1/app').times(2).delay(10_000).reply(200, { app: wireApp() });
    const err = (await settle(wireClient({ timeoutMs: 250, maxRetries: 1 }).getApp(), 50)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err.message).toMatch(/timed out after 250 ms \(attempt 2\)/);
  });

  test('a per-call timeoutMs overrides the client one', async () => {
    nock(BASE).get('/v1/app').delay(10_000).reply(200, { app: wireApp() });
    const err = await settle(wireClient({ timeoutMs: 60_000, maxRetries: 0 }).getApp({ timeoutMs: 100 }), 10);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/timed out after 100 ms/);
  });

  test("the caller's signal during a request: an AbortError, not retried", async () => {
    const scope = nock(BASE).get('/v1/app').delay(10_000).reply(200, { app: wireApp() });
    const controller = new AbortController();
    const records: RequestLogRecord[] = [];
    const done = wireClient({ logger: (r) => records.push(r) }).getApp({ signal: controller.signal }).catch((e: unknown) => e);
    await flush();
    controller.abort(new Error('user left'));
    const err = (await done) as AbortError;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.code).toBe('ERR_ABORTED');
    expect((err.cause as Error).message).toBe('user left');
    expect(records).toHaveLength(1);
    expect(scope.isDone()).toBe(true);
  });

  test('an already aborted signal: nothing is sent', async () => {
    const fetchSpy = jest.fn();
    await expect(wireClient({ fetch: fetchSpy }).getApp({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('the server token', () => {
  test('cached between requests, minted again when less than 60 s remain', async () => {
    jest.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    const seen: Seen[] = [];
    for (let i = 0; i < 3; i++) intercept('GET', '/v1/app', { status: 200, body: { app: wireApp() } }, seen);
    const client = wireClient();
    await client.getApp();
    jest.setSystemTime(new Date('2026-01-01T00:03:59.000Z')); // 61 s left
    await client.getApp();
    jest.setSystemTime(new Date('2026-01-01T00:04:01.000Z')); // 59 s left
    await client.getApp();
    const auth = seen.map((s) => s.headers['authorization']);
    expect(auth[1]).toBe(auth[0]);
    expect(auth[2]).not.toBe(auth[0]);
  });
});
