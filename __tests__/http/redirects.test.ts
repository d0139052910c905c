// A redirect is not followed: fetch would drop Authorization on another origin but still send the
// Api-Key there. Two real servers on 127.0.0.1: the first redirects to the second, which must see
// nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, ServerClient } from 'tokenkit';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const elsewhereSeen: string[] = [];
const elsewhere = createServer((req, res) => {
  elsewhereSeen.push(`${req.method} ${req.url} api-key=${String(req.headers['api-key'] !== undefined)}`);
  res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
});
let elsewhereUrl = '';
let redirects = 0;
const redirecting = createServer((req, res) => {
  redirects++;
  res.writeHead(307, { Location: `${elsewhereUrl}${req.url}?from=redirect`, 'X-Request-Id': 'req-redirect' }).end();
});
let baseUrl = '';

beforeAll(async () => {
  elsewhereUrl = await listen(elsewhere);
  baseUrl = await listen(redirecting);
});
afterAll(async () => {
  await new Promise((r) => elsewhere.close(r));
  await new Promise((r) => redirecting.close(r));
});

test('a 3xx is an ApiError that says why, is not retried, and the other address sees no request', async () => {
  const client = new ServerClient({ apiKey: 'the-api-key', apiSecret: 'the-secret', baseUrl, maxRetries: 3 });
  const err = await client.getApp().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ status: 307, code: 'ERR_REDIRECT', requestId: 'req-redirect' });
  expect((err as ApiError).message).toMatch(/tokenkit does not follow redirects.*set baseUrl to the final URL/);
  expect((err as ApiError).message).not.toContain('from=redirect');
  expect(redirects).toBe(1);
  expect(elsewhereSeen).toEqual([]);
});
