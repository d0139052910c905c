// UserClient in a real browser: the bundle of `tokenkit/client` runs in headless Chromium on a page
// served from one origin (with the backend's token endpoint), against the emulator on another
// origin (allowed by corsOrigins). Connect, read, write, refresh after a revocation, typed errors,
// and the browser refusing the admin routes. All on 127.0.0.1.
import type { IncomingMessage } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { type Served, serve } from '../support/serve';
import { bundleUserClient, launchChromium } from './harness';

let bundle: string;
let browser: Browser;
let pageServer: Served;
let emulator: Emulator;
let admin: ServerClient;
let page: Page;
let tokensIssued = 0;

const PAGE_HTML = '<!doctype html><html><head><meta charset="utf-8"><title>tokenkit/client</title></head><body>ok</body></html>';

beforeAll(async () => {
  bundle = await bundleUserClient();
  // The page's own server: the page, the bundle, and the backend's token endpoint (same origin).
  let handler: ((req: IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>) | undefined;
  pageServer = await serve((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE_HTML);
    else if (req.url === '/tokenkit-client.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
    else if (req.url === '/token' && handler) void handler(req, res);
    else res.writeHead(404).end();
  });
  emulator = await startEmulator({ corsOrigins: [pageServer.url] });
  admin = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
  await admin.upsertUsers([
    { id: 'alice', name: 'Alice' },
    { id: 'bob', name: 'Bob' },
  ]);
  // "Authentication": the page says who it is in a header (the tests' stand-in for a session cookie).
  handler = admin.tokenProvider({
    authenticate: (req) => {
      const user = req.headers['x-test-user'];
      if (typeof user !== 'string') return null;
      tokensIssued++;
      return user;
    },
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(pageServer.url + '/');
});

afterAll(async () => {
  await browser?.close();
  await pageServer?.close();
  await emulator?.close();
});

test('the bundle for the browser imports no node: module', () => {
  expect(bundle).not.toMatch(/from\s*["']node:|require\(["']node:/);
  expect(bundle.length).toBeGreaterThan(1000);
});

test('connects with a token provider, reads a user and updates itself from the page', async () => {
  const result = await page.evaluate(
    async ({ apiKey, baseUrl }) => {
      const { UserClient } = await import('/tokenkit-client.js' as string);
      const chat = new UserClient({ apiKey, baseUrl });
      (globalThis as unknown as Record<string, unknown>)['chat'] = chat;
      const connected = await chat.connectUser({ id: 'alice' }, async () => {
        const res = await fetch('/token', { headers: { 'x-test-user': 'alice' } });
        return ((await res.json()) as { token: string }).token;
      });
      const bob = await chat.getUser('bob');
      const me = await chat.updateMe({ set: { name: 'Alice in the browser' } });
      return { auth: connected.auth, userId: chat.userId, bob: bob.name, me: me.name, ua: (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent };
    },
    { apiKey: emulator.apiKey, baseUrl: emulator.url },
  );
  expect(result).toMatchObject({ auth: 'jwt', userId: 'alice', bob: 'Bob', me: 'Alice in the browser' });
  expect(result.ua).toContain('Chrome');
  expect(emulator.user('alice')?.name).toBe('Alice in the browser');
  expect(tokensIssued).toBe(1);
});

test('after the backend revokes the token, the next call refreshes it through the provider once and succeeds', async () => {
  await admin.revokeUserTokens('alice');
  const names = await page.evaluate(async () => {
    const chat = (globalThis as unknown as Record<string, { getUser(id: string): Promise<{ name: string }> }>)['chat']!;
    const users = await Promise.all([chat.getUser('bob'), chat.getUser('alice'), chat.getUser('bob')]);
    return users.map((u) => u.name);
  });
  expect(names).toEqual(['Bob', 'Alice in the browser', 'Bob']);
  expect(tokensIssued).toBe(2);
});

test("the platform's errors reach the page as tokenkit's typed errors", async () => {
  const caught = await page.evaluate(async () => {
    const { ApiError } = await import('/tokenkit-client.js' as string);
    const chat = (globalThis as unknown as Record<string, { getUser(id: string): Promise<unknown> }>)['chat']!;
    try {
      await chat.getUser('nobody-here');
      return { name: 'none' };
    } catch (err) {
      const e = err as { name: string; code: number; status: number; requestId?: string };
      return { name: e.name, isApiError: err instanceof ApiError, code: e.code, status: e.status, hasRequestId: typeof e.requestId === 'string' };
    }
  });
  expect(caught).toEqual({ name: 'ApiError', isApiError: true, code: 16, status: 404, hasRequestId: true });
});

test('the browser cannot call an admin route of the emulator, and an unlisted origin cannot call anything', async () => {
  const outcome = await page.evaluate(async ({ apiKey, baseUrl }) => {
    try {
      await fetch(baseUrl + '/v1/app', { headers: { 'Api-Key': apiKey, Authorization: 'Bearer x' } });
      return 'answered';
    } catch (err) {
      return (err as Error).name;
    }
  }, { apiKey: emulator.apiKey, baseUrl: emulator.url });
  expect(outcome).toBe('TypeError'); // blocked by CORS: the page never sees an answer

  const other = await startEmulator({ corsOrigins: ['http://localhost:1'] });
  try {
    const refused = await page.evaluate(async ({ apiKey, baseUrl }) => {
      const { UserClient } = await import('/tokenkit-client.js' as string);
      const chat = new UserClient({ apiKey, baseUrl });
      try {
        await chat.connectAnonymousUser();
        return 'connected';
      } catch (err) {
        return (err as Error).name;
      }
    }, { apiKey: other.apiKey, baseUrl: other.url });
    expect(refused).toBe('ConnectionError');
  } finally {
    await other.close();
  }
});
