// The emulator's dashboard in real headless Chromium: each page used as a person would (labels,
// keyboard), with the effects checked over HTTP against the emulator, not in the page. Takes the
// screenshots shown in docs/emulator.md: into .tmp/screenshots/, or, with UPDATE_DOCS_IMAGES=1,
// over docs/images/dashboard-*.png (a run does not rewrite the committed images unless asked).
import { type Server, createServer } from 'node:http';
import { connect as connectTcp } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DASHBOARD_MAX_REQUESTS, type Emulator, startEmulator } from 'tokenkit/emulator';
import { mintDevToken } from '../../src/tokens/mint';
import { call, connect } from '../support/emulator';
import { type Browser, launchChromium } from '../support/chromium';

// Code run in the page (evaluate) reaches the page's globals through globalThis: this project's
// TypeScript config has no DOM library.
interface PageGlobals {
  getComputedStyle(el: unknown): { outlineStyle: string };
  __xss?: number;
}

const IMAGES = process.env['UPDATE_DOCS_IMAGES'] === '1' ? join(__dirname, '..', '..', 'docs', 'images') : join(__dirname, '..', '..', '.tmp', 'screenshots');

let browser: Browser;
let emu: Emulator;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

beforeEach(async () => {
  emu = await startEmulator({ dashboard: true });
});
afterEach(() => emu.close());

/** Opens a dashboard page; any page error or dialog fails the test. */
async function open(hash: string): Promise<Page> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(`${emu.dashboardUrl}#/${hash}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

function problemsOf(page: Page): string[] {
  return (page as Page & { problems: string[] }).problems;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(IMAGES, `dashboard-${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

test('App settings: turning on "Disable Auth Checks" (by keyboard) and Save lets a dev token connect', async () => {
  const dev = mintDevToken('dev-user');
  const before = await connect(emu, { user_id: 'dev-user' }, dev);
  expect([before.status, before.body['code']]).toEqual([401, 43]);

  const page = await open('settings');
  const toggle = page.getByLabel('Disable Auth Checks');
  await toggle.focus();
  // Focus is visible: the focused control has an outline.
  expect(await toggle.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Space');
  expect(await toggle.isChecked()).toBe(true);
  await page.getByRole('radio', { name: 'Read only' }).check();
  await page.getByRole('button', { name: 'Save' }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('Saved.').waitFor();

  const after = await connect(emu, { user_id: 'dev-user' }, dev);
  expect([after.status, after.body['auth']]).toEqual([200, 'dev']);
  expect(emu.app()).toMatchObject({ disable_auth_checks: true, access_token_permission: 'read_only' });

  // The app-level cutoff: revoke now, then undo.
  await page.getByRole('button', { name: 'Revoke now' }).click();
  await page.getByText('Every token issued until now is revoked.').waitFor();
  expect(emu.app().revoke_tokens_issued_before).toBeInstanceOf(Date);
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByText('The app cutoff is removed.').waitFor();
  expect(emu.app().revoke_tokens_issued_before).toBeNull();
  await page.getByRole('button', { name: 'Revoke now' }).click();
  await page.getByText('Every token issued until now is revoked.').waitFor();
  await shot(page, 'settings');
  expect(problemsOf(page)).toEqual([]);
  await page.close();
});

test('Token generator: the token it makes connects', async () => {
  const page = await open('generator');
  await page.getByLabel('User id').fill('gen-user');
  await page.getByLabel('Validity (seconds)').fill('600');
  await page.getByRole('button', { name: 'Generate token' }).click();
  const out = page.getByLabel('Token', { exact: true });
  await out.waitFor();
  const token = await out.inputValue();
  expect(token.split('.')).toHaveLength(3);
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied').waitFor();

  const res = await connect(emu, { user_id: 'gen-user' }, token);
  expect([res.status, res.body['auth']]).toEqual([200, 'jwt']);
  await shot(page, 'generator');
  expect(problemsOf(page)).toEqual([]);
  await page.close();
});

test('Users: "Revoke now" makes a token minted before answer 44, shown in the inspector and the Requests log', async () => {
  expect((await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice', name: 'Alice' }, { id: 'bob', name: 'Bob' }, { id: 'carol' }] } })).status).toBe(200);
  expect((await call(emu, 'POST', '/v1/guest', { as: 'key', body: { user: { id: 'visitor-1', name: 'Visitor' } } })).status).toBe(200);
  const minted = emu.userToken('alice');
  expect((await connect(emu, { user_id: 'alice' }, minted)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 5)); // the cutoff is strictly after iat

  const requests = await open('requests'); // open first: the log streams as requests happen
  const users = await open('users');
  await users.getByRole('button', { name: 'Revoke now: alice' }).click();
  await users.getByText('Tokens of "alice" issued until now are revoked.').waitFor();
  expect(emu.user('alice')?.revoke_tokens_issued_before).toBeInstanceOf(Date);
  await users.getByLabel('Search users (id or name)').fill('ali');
  await users.getByText('1 user(s)').waitFor();
  await users.getByLabel('Search users (id or name)').fill('');
  await users.getByText('4 user(s)').waitFor();
  await shot(users, 'users');

  // Over HTTP: the platform now refuses the token minted before.
  const refused = await connect(emu, { user_id: 'alice' }, minted);
  expect([refused.status, refused.body['code']]).toEqual([401, 44]);

  const inspector = await open('inspector');
  await inspector.getByRole('textbox', { name: 'Token', exact: true }).fill(minted);
  await inspector.getByRole('button', { name: 'Inspect' }).click();
  const verdict = inspector.locator('#verdict');
  await verdict.waitFor();
  expect(await verdict.textContent()).toMatch(/^44 revoked: iat \d\d:\d\d:\d\d\.\d{3} is before the user's cutoff \d\d:\d\d:\d\d\.\d{3} \(HTTP 401\)$/);
  expect(await inspector.getByRole('img', { name: /^Timeline: / }).getAttribute('aria-label')).toMatch(/iat .*user's cutoff .*now /);
  await shot(inspector, 'inspector');

  await requests.getByLabel('Filter by code or status').fill('44');
  const row = requests.locator('table.requests tbody tr').first();
  await row.locator('td.code', { hasText: '44' }).waitFor();
  expect(await row.locator('td.user').textContent()).toBe('alice');
  await row.getByRole('button').click();
  await requests.getByRole('heading', { name: /^Request \d+$/ }).waitFor();
  const detail = await requests.locator('aside.detail').textContent();
  expect(detail).toContain('POST /v1/connect');
  expect(detail).not.toContain(minted); // no whole token, ever
  expect(detail).not.toContain(minted.split('.')[2]!);
  await requests.getByLabel('Filter by code or status').fill('');
  await shot(requests, 'requests');
  for (const p of [users, inspector, requests]) {
    expect(problemsOf(p)).toEqual([]);
    await p.close();
  }
});

test('a user named <img src=x onerror=...> renders as text, and no script runs', async () => {
  const evil = '<img src=x onerror="window.__xss=1;alert(1)">';
  const script = '<script>window.__xss=2</script>';
  expect((await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'mallory', name: evil }, { id: 'mallory2', name: script }] } })).status).toBe(200);
  const page = await open('users');
  const name = page.locator('tr[data-user="mallory"] td.user-name');
  await name.waitFor();
  expect(await name.textContent()).toBe(evil);
  expect(await page.locator('tr[data-user="mallory2"] td.user-name').textContent()).toBe(script);
  expect(await page.locator('main img').count()).toBe(0);
  expect(await page.locator('main script').count()).toBe(0);
  // Through the generator and inspector too: a claim that holds HTML stays text.
  await page.goto(`${emu.dashboardUrl}#/inspector`);
  await page.getByRole('textbox', { name: 'Token', exact: true }).fill(emu.userToken('mallory', { claims: { note: evil } }));
  await page.getByRole('button', { name: 'Inspect' }).click();
  await page.locator('#verdict').waitFor();
  expect(await page.locator('main').textContent()).toContain(JSON.stringify(evil));
  expect(await page.locator('main img').count()).toBe(0);
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
  expect(problemsOf(page)).toEqual([]);
  await page.close();
});

test('a page from another origin cannot change the emulator, with or without the dashboard token', async () => {
  const html = await (await fetch(emu.dashboardUrl!)).text();
  const token = /tokenkit-dashboard-token" content="([^"]+)"/.exec(html)![1]!;
  const api = `${emu.url}/_dashboard/api`;
  // The attacker's page: a form that posts to the dashboard API (a navigation: no preflight, no CORS).
  const attacker: Server = createServer((_req, res) =>
    res.end(
      `<!doctype html><title>elsewhere</title><form method="post" action="${api}/app" enctype="text/plain">` +
        '<input name=\'{"disable_auth_checks":true,"x":"\' value=\'"}\'><button>go</button></form>',
    ),
  );
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  try {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    const outcomes = await page.evaluate(
      async ({ api, token }) => {
        const tries = [
          // A simple POST without CORS: the emulator refuses it, and its answer is not readable here.
          fetch(`${api}/app`, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{"disable_auth_checks":true}' }),
          // With the token (stolen somehow): the preflight is not answered, the browser stops it.
          fetch(`${api}/app`, { method: 'POST', headers: { 'X-Dashboard-Token': token, 'Content-Type': 'application/json' }, body: '{"disable_auth_checks":true}' }),
        ];
        return Promise.all(tries.map((t) => t.then((r) => `answered ${r.type}`, (e: Error) => `failed ${e.name}`)));
      },
      { api, token },
    );
    expect(outcomes).toEqual(['failed TypeError', 'failed TypeError']);
    // The form is sent (a navigation) and refused by the emulator.
    const [answer] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'go' }).click()]);
    expect(answer?.status()).toBe(401);
    expect(await page.locator('body').textContent()).toContain('X-Dashboard-Token header is missing');
    expect(emu.app().disable_auth_checks).toBe(false);
    expect(emu.writes()).toEqual([]);
    await page.close();
  } finally {
    attacker.closeAllConnections();
    await new Promise((resolve) => attacker.close(resolve));
  }
});

/**
 * Sends GET requests for `paths` over `sockets` keep-alive connections, pipelined (many requests
 * written at once): the cheapest way to make the emulator answer thousands of requests. Resolves
 * once every answer is read (the last request of each connection closes it).
 */
async function pipelined(emu: Emulator, paths: string[], sockets: number): Promise<void> {
  const per = Math.ceil(paths.length / sockets);
  await Promise.all(
    Array.from({ length: sockets }, (_, s) => {
      const mine = paths.slice(s * per, (s + 1) * per);
      return new Promise<void>((resolve, reject) => {
        const socket = connectTcp(emu.port, '127.0.0.1', () => {
          socket.write(mine.map((p, i) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${emu.port}\r\n${i === mine.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join(''));
        });
        socket.on('data', () => undefined);
        socket.on('end', resolve);
        socket.on('error', reject);
      });
    }),
  );
}

test(`Requests: with 10,000 requests the page keeps the last ${DASHBOARD_MAX_REQUESTS}, draws a bounded table and still answers`, async () => {
  const page = await open('requests');
  await page.getByText('Live.').waitFor();
  const N = 10_000;
  const paths = Array.from({ length: N }, (_, i) => `/v1/users/load-${i}`);
  await pipelined(emu, paths, 4);
  const summary = page.locator('#requests-summary');
  // Until the page has received them all (bounded: at most 600 looks, 250 ms apart).
  for (let look = 0; look < 600 && Number(await summary.getAttribute('data-total')) < N; look++) await page.waitForTimeout(250);
  expect(Number(await summary.getAttribute('data-total'))).toBeGreaterThanOrEqual(N);
  expect(Number(await summary.getAttribute('data-kept'))).toBe(DASHBOARD_MAX_REQUESTS);
  expect(await page.locator('table.requests tbody tr').count()).toBe(200);
  // The newest first.
  await page.locator('table.requests tbody tr').first().getByRole('button').click();
  expect(await page.locator('aside.detail').textContent()).toContain(`/v1/users/load-${N - 1}`);
  // Still answers: a filter narrows the table at once.
  await page.getByLabel('Filter by user').fill('nobody-at-all');
  await page.locator('table.requests tbody tr').first().waitFor({ state: 'detached' });
  expect(await summary.textContent()).toContain('0 match');
  expect(problemsOf(page)).toEqual([]);
  await page.close();
}, 240_000);

test('Faults: shows the fault plan and the rate limit, and clears them', async () => {
  emu.faults.set({ routes: ['POST /v1/connect'], sequence: [503, 'pass', 429] });
  emu.rateLimit.set({ limit: 5, windowMs: 1000, routes: ['POST /v1/connect'] });
  expect((await connect(emu, { user_id: 'f1' })).status).toBe(503);
  const page = await open('faults');
  await page.locator('#faults-active', { hasText: 'yes' }).waitFor();
  expect(await page.locator('#rate-limit').textContent()).toBe('5 requests per 1000 ms, per route');
  await shot(page, 'faults');
  await page.getByRole('button', { name: 'Clear fault plan' }).click();
  await page.locator('#faults-active', { hasText: 'no' }).waitFor();
  await page.getByRole('button', { name: 'Clear rate limit' }).click();
  await page.getByText('No rate limit.').waitFor();
  expect(emu.faults.stats().active).toBe(false);
  expect(emu.rateLimit.config).toBeUndefined();
  expect(problemsOf(page)).toEqual([]);
  await page.close();
});
