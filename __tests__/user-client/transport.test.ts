// What reaches the caller when the platform misbehaves: timeouts, refused connections, bodies
// that are not the contract's. Real servers on 127.0.0.1 play the broken platform.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, ConnectionError, ResponseShapeError, TimeoutError, UserClient } from 'tokenkit/client';
import { type Served, serve } from '../support/serve';

let served: Served | undefined;
afterEach(async () => {
  jest.useRealTimers();
  await served?.close();
  served = undefined;
});

async function platform(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  served = await serve(handler);
  return served.url;
}

test('a platform that never answers: TimeoutError after timeoutMs (fake timers)', async () => {
  let received: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => {
    received = resolve;
  });
  const url = await platform(() => received()); // never answers
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const chat = new UserClient({ apiKey: 'k', baseUrl: url, timeoutMs: 5_000 });
  const outcome = chat.connectAnonymousUser().then(
    () => undefined,
    (e: unknown) => e,
  );
  await arrived;
  await jest.advanceTimersByTimeAsync(5_000);
  const err = await outcome;
  expect(err).toBeInstanceOf(TimeoutError);
  expect((err as TimeoutError).message).toContain('POST /v1/connect took longer than 5000 ms');
});

test('nothing listening: ConnectionError', async () => {
  const url = await platform(() => undefined);
  await served?.close();
  served = undefined;
  const err = await new UserClient({ apiKey: 'k', baseUrl: url }).connectAnonymousUser().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectionError);
});

test("a proxy's HTML error page: ApiError with the status, code ERR_NOT_PLATFORM_BODY, without the body", async () => {
  const url = await platform((_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req-502' }).end('<html>bad gateway secret-page</html>');
  });
  const err = await new UserClient({ apiKey: 'k', baseUrl: url }).connectAnonymousUser().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ status: 502, code: 'ERR_NOT_PLATFORM_BODY', requestId: 'req-502' });
  expect((err as ApiError).message).not.toContain('secret-page');
});

test('a 2xx body that breaks the contract: ResponseShapeError naming the field', async () => {
  const url = await platform((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: 'anonymous' }));
  });
  const err = await new UserClient({ apiKey: 'k', baseUrl: url }).connectAnonymousUser().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseShapeError);
  expect((err as ResponseShapeError).issues.map((i) => i.path)).toContain('connection_id');
});

test('the request carries Api-Key and the connection id, and the error redacts the token', async () => {
  const seen: IncomingMessage['headers'][] = [];
  const url = await platform((req, res) => {
    seen.push(req.headers);
    if (req.url === '/v1/connect') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ connection_id: 'conn-1', auth: 'jwt' }));
      return;
    }
    res
      .writeHead(429, { 'content-type': 'application/json', 'retry-after': '3', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0' })
      .end(JSON.stringify({ code: 9, message: 'slow down', status_code: 429 }));
  });
  const chat = new UserClient({ apiKey: 'the-key', baseUrl: url });
  await chat.connectUser({ id: 'alice' }, 'opaque-session-token');
  const err = (await chat.getUser('bob').then(
    () => undefined,
    (e: unknown) => e,
  )) as ApiError;
  expect(seen[1]).toMatchObject({ 'api-key': 'the-key', authorization: 'Bearer opaque-session-token', 'x-connection-id': 'conn-1' });
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ code: 9, status: 429, rateLimit: { limit: 10, remaining: 0, retryAfterSeconds: 3 } });
  expect(JSON.stringify(err.requestHeaders)).not.toContain('opaque-session-token');
  expect(err.message).not.toContain('opaque-session-token');
});
