// The emulator's dashboard over plain HTTP on 127.0.0.1: how it is turned on, the page, and its
// security (dashboard token, same origin, loopback Host, the API secret never sent). The page
// itself is tested in real Chromium by `npm run test:browser` (__tests__/browser).
import { request } from 'node:http';
import { ConfigError, ServerClient } from 'tokenkit';
import { DASHBOARD_MAX_REQUESTS, type Emulator, startEmulator } from 'tokenkit/emulator';

interface Page {
  html: string;
  token: string;
  headers: Headers;
}

async function openPage(emu: Emulator): Promise<Page> {
  const res = await fetch(emu.dashboardUrl!);
  const html = await res.text();
  const token = /<meta name="tokenkit-dashboard-token" content="([A-Za-z0-9_-]+)">/.exec(html)?.[1];
  if (!token) throw new Error('no dashboard token in the page');
  return { html, token, headers: res.headers };
}

function api(emu: Emulator, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(`${emu.url}/_dashboard/api${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A raw request with a Host header of our choice (fetch sets its own). */
function withHost(emu: Emulator, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: emu.port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

let emu: Emulator;
let page: Page;
beforeAll(async () => {
  emu = await startEmulator({ dashboard: true });
  page = await openPage(emu);
});
afterAll(() => emu.close());

test('dashboardUrl is under the emulator URL; the page loads its own bundle under a strict CSP', async () => {
  expect(emu.dashboardUrl).toBe(`${emu.url}/_dashboard/`);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.html).not.toMatch(/https?:\/\//); // no CDN: nothing loaded from elsewhere
  const js = await fetch(`${emu.url}/_dashboard/app.js`);
  expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect((await js.text()).length).toBeGreaterThan(1000);
  expect((await fetch(`${emu.url}/_dashboard/app.css`)).status).toBe(200);
});

test('the page, its bundle and the API answers never hold the API secret', async () => {
  const auth = { 'X-Dashboard-Token': page.token };
  const texts = [
    page.html,
    await (await fetch(`${emu.url}/_dashboard/app.js`)).text(),
    await (await api(emu, 'GET', '/state', auth)).text(),
    await (await api(emu, 'GET', '/users', auth)).text(),
    await (await api(emu, 'GET', '/faults', auth)).text(),
  ];
  for (const t of texts) expect(t).not.toContain(emu.apiSecret);
  expect(page.token).not.toBe(emu.apiSecret);
});

test('every API call needs the dashboard token: 401 without it, 403 with another one', async () => {
  const none = await api(emu, 'GET', '/state', {});
  expect(none.status).toBe(401);
  expect(((await none.json()) as { error: string }).error).toMatch(/X-Dashboard-Token header is missing/);
  expect((await api(emu, 'GET', '/state', { 'X-Dashboard-Token': 'x'.repeat(43) })).status).toBe(403);
  // The API secret is not a dashboard token.
  expect((await api(emu, 'GET', '/state', { 'X-Dashboard-Token': emu.apiSecret })).status).toBe(403);
  expect((await api(emu, 'GET', '/state', { 'X-Dashboard-Token': page.token })).status).toBe(200);
});

test('a state-changing request without the dashboard token, or from another origin, is refused and changes nothing', async () => {
  const change = { disable_auth_checks: true };
  const noToken = await api(emu, 'POST', '/app', { Origin: emu.url }, change);
  const otherOrigin = await api(emu, 'POST', '/app', { 'X-Dashboard-Token': page.token, Origin: 'http://evil.example' }, change);
  const noOrigin = await api(emu, 'POST', '/app', { 'X-Dashboard-Token': page.token }, change);
  const crossSite = await api(emu, 'POST', '/app', { 'X-Dashboard-Token': page.token, Origin: emu.url, 'Sec-Fetch-Site': 'cross-site' }, change);
  expect([noToken.status, otherOrigin.status, noOrigin.status, crossSite.status]).toEqual([401, 403, 403, 403]);
  expect(((await otherOrigin.json()) as { error: string }).error).toMatch(/Origin "http:\/\/evil.example" refused/);
  expect(emu.app().disable_auth_checks).toBe(false);
  expect(emu.writes()).toEqual([]);

  const ok = await api(emu, 'POST', '/app', { 'X-Dashboard-Token': page.token, Origin: emu.url }, change);
  expect(ok.status).toBe(200);
  expect(emu.app().disable_auth_checks).toBe(true);
  expect(emu.writes().map((w) => w.route)).toEqual(['POST /_dashboard/api/app']);
  await emu.reset();
});

test('a Host that is not a loopback name with this port is refused (DNS rebinding)', async () => {
  expect(await withHost(emu, '/_dashboard/', `127.0.0.1:${emu.port}`)).toBe(200);
  expect(await withHost(emu, '/_dashboard/', `localhost:${emu.port}`)).toBe(200);
  expect(await withHost(emu, '/_dashboard/', `attacker.example:${emu.port}`)).toBe(403);
  expect(await withHost(emu, '/_dashboard/', `127.0.0.1:1`)).toBe(403);
});

test('a new start makes a new dashboard token; the old one is refused', async () => {
  const other = await startEmulator({ dashboard: true });
  try {
    const otherPage = await openPage(other);
    expect(otherPage.token).not.toBe(page.token);
    expect((await api(other, 'GET', '/state', { 'X-Dashboard-Token': page.token })).status).toBe(403);
  } finally {
    await other.close();
  }
});

test('bad input to the API is refused naming the field; the contract rules still apply', async () => {
  const h = { 'X-Dashboard-Token': page.token, Origin: emu.url };
  const bad = await api(emu, 'POST', '/users', h, { id: 'has space' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/^Invalid request body: id: /);
  const unknown = await api(emu, 'POST', '/users/nobody/revoke', h, {});
  expect(unknown.status).toBe(404);
  const gen = await api(emu, 'POST', '/generate', h, { user_id: 'alice', validity_in_seconds: -1 });
  expect(gen.status).toBe(400);
  expect(((await gen.json()) as { error: string }).error).toMatch(/validity_in_seconds/);
});

test('off by default: /_dashboard/ is an unknown platform path, dashboardUrl undefined', async () => {
  const plain = await startEmulator();
  try {
    expect(plain.dashboardUrl).toBeUndefined();
    expect((await fetch(`${plain.url}/_dashboard/`)).status).toBe(404);
  } finally {
    await plain.close();
  }
});

test('dashboard: true on a host that is not loopback is a ConfigError', async () => {
  await expect(startEmulator({ dashboard: true, host: '0.0.0.0' })).rejects.toThrow(ConfigError);
  await expect(startEmulator({ dashboard: true, host: '0.0.0.0' })).rejects.toThrow(/dashboard is served on loopback only/);
});

test(`the request buffer keeps the last ${DASHBOARD_MAX_REQUESTS} requests and counts them all`, async () => {
  const n = DASHBOARD_MAX_REQUESTS + 300;
  const paths = Array.from({ length: n }, (_, i) => `/v1/users/u${i}`);
  for (let i = 0; i < paths.length; i += 50) {
    await Promise.all(paths.slice(i, i + 50).map((p) => fetch(emu.url + p).then((r) => r.arrayBuffer())));
  }
  const stream = await fetch(`${emu.url}/_dashboard/api/requests/stream`, { headers: { 'X-Dashboard-Token': page.token } });
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
  await reader.cancel();
  const snapshot = JSON.parse(/^event: snapshot\ndata: (.*)$/m.exec(text)![1]!) as { requests: Array<{ path: string; code: number; auth: string }>; total: number; max: number };
  expect(snapshot.max).toBe(DASHBOARD_MAX_REQUESTS);
  expect(snapshot.requests).toHaveLength(DASHBOARD_MAX_REQUESTS);
  expect(snapshot.total).toBeGreaterThanOrEqual(n);
  expect(snapshot.requests.at(-1)).toMatchObject({ path: `/v1/users/u${n - 1}`, code: 2, auth: 'none' });
});

test("the state lists the app's secrets by kid and state, never a value, and follows a rotation", async () => {
  const auth = { 'X-Dashboard-Token': page.token };
  const before = (await (await api(emu, 'GET', '/state', auth)).json()) as { secrets: Array<{ kid: string; state: string }> };
  expect(before.secrets.map((s) => [s.kid, s.state])).toEqual([['initial', 'primary']]);

  const client = new ServerClient({ apiKey: emu.apiKey, apiSecret: emu.apiSecret, baseUrl: emu.url });
  const added = await client.addSecret();
  await client.promoteSecret(added.kid);
  const text = await (await api(emu, 'GET', '/state', auth)).text();
  const after = JSON.parse(text) as { secrets: Array<Record<string, unknown>> };
  expect(after.secrets.map((s) => [s.kid, s.state])).toEqual([
    ['initial', 'active'],
    [added.kid, 'primary'],
  ]);
  for (const s of after.secrets) expect(Object.keys(s).sort()).toEqual(['created_at', 'kid', 'promoted_at', 'retired_at', 'state']);
  expect(text).not.toContain(added.secret);
  expect(text).not.toContain(emu.apiSecret);
  // Back to the one secret the other tests expect.
  await emu.reset();
});
