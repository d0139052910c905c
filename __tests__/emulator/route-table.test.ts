// One route table: the contract's routes, the emulator's own control routes and the dashboard's API
// are typed entries of one table, each of a kind, and each endpoint's `auth` decides who may call
// it, over real HTTP on 127.0.0.1.
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { z } from 'zod';
import { ROUTES, ROUTE_KINDS, type Route } from '../../src/emulator/router';
import { type Answer, call, expectError, rawRequest, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let emu: Emulator;
useEmulator(T0, (e) => (emu = e));

/** A concrete path for a route (`:id` filled with a valid user id). */
const pathOf = (segments: readonly string[]) => '/' + segments.map((s) => (s === ':id' ? 'alice' : s)).join('/');

test('every route has a kind, and the control routes are admin-only entries under /_emulator/', () => {
  expect(ROUTES.every((r) => r.kind in ROUTE_KINDS)).toBe(true);
  const control = ROUTES.filter((r) => r.kind === 'control');
  expect(control.map((r) => r.key).sort()).toEqual([
    'DELETE /_emulator/faults',
    'DELETE /_emulator/rate-limit',
    'GET /_emulator/faults',
    'GET /_emulator/rate-limit',
    'GET /_emulator/writes',
    'POST /_emulator/faults',
    'POST /_emulator/rate-limit',
    'POST /_emulator/reset',
  ]);
  for (const r of control) expect({ key: r.key, admin: r.admin?.endpoint.auth, user: r.user }).toEqual({ key: r.key, admin: 'admin', user: undefined });
  expect(ROUTES.filter((r) => r.kind === 'contract').every((r) => !r.key.includes('/_emulator/'))).toBe(true);
});

test.each(ROUTES.filter((r) => r.admin && !r.user).map((r) => [r.key, r] as const))(
  '%s (auth: admin) refuses a request without a server token: 401, code 45',
  async (_key, route) => {
    expectError(await call(emu, route.method, pathOf(route.segments), { as: 'key' }), 401, 45);
  },
);

test.each(ROUTES.filter((r) => r.admin && !r.user).map((r) => [r.key, r] as const))('%s (auth: admin) refuses a user token: 403, code 17', async (_key, route) => {
  expectError(await call(emu, route.method, pathOf(route.segments), { as: { token: emu.userToken('alice') } }), 403, 17);
});

test('a control route ignores Idempotency-Key (no replay), as the control kind says', async () => {
  const headers = { 'Idempotency-Key': 'control-1' };
  const first = await call(emu, 'POST', '/_emulator/faults', { body: { sequence: [503] }, headers });
  const again = await call(emu, 'POST', '/_emulator/faults', { body: { sequence: [503, 503] }, headers });
  expect([first.status, again.status]).toEqual([200, 200]);
  expect(again.headers.get('idempotent-replayed')).toBeNull();
  expect(again.body).toMatchObject({ faults: { remaining: 2 } });
});

test("a control route's query is checked with its schema: 400, code 4, naming the parameter", async () => {
  expectError(await call(emu, 'GET', '/_emulator/writes?users=bob'), 400, 4, /users/);
});

test('every route of every kind is a typed entry: method, path, auth, zod schemas and a handler, on the side its auth names', () => {
  const kinds = new Set(ROUTES.map((r) => r.kind));
  expect([...kinds].sort()).toEqual(Object.keys(ROUTE_KINDS).sort());
  for (const route of ROUTES) {
    const sides = (['admin', 'user', 'dashboard'] as const).filter((s) => route[s] !== undefined);
    expect({ key: route.key, sides: sides.length > 0 }).toEqual({ key: route.key, sides: true });
    for (const s of sides) {
      const { endpoint, handler } = route[s]!;
      expect({ key: route.key, auth: endpoint.auth, method: endpoint.method, path: endpoint.path }).toEqual({ key: route.key, auth: s, method: route.method, path: '/' + route.segments.join('/') });
      expect(endpoint.response).toBeInstanceOf(z.ZodType);
      if (endpoint.request !== undefined) expect(endpoint.request).toBeInstanceOf(z.ZodType);
      if (endpoint.query !== undefined) expect(endpoint.query).toBeInstanceOf(z.ZodType);
      expect(typeof handler).toBe('function');
    }
  }
});

test('the dashboard routes are entries of the dashboard kind under /_dashboard/api/, with a dashboard side only', () => {
  const dashboard = ROUTES.filter((r) => r.kind === 'dashboard');
  expect(dashboard.length).toBeGreaterThan(10);
  for (const r of dashboard) {
    expect({ key: r.key, admin: r.admin, user: r.user, auth: r.dashboard?.endpoint.auth }).toEqual({ key: r.key, admin: undefined, user: undefined, auth: 'dashboard' });
    expect(r.key).toMatch(/^(GET|POST) \/_dashboard\/api\//);
  }
  expect(ROUTES.filter((r) => r.kind !== 'dashboard').every((r) => r.dashboard === undefined && !r.key.includes('/_dashboard/'))).toBe(true);
  expect(ROUTE_KINDS.dashboard).toEqual({ faults: false, rateLimit: false, idempotency: false, answers: 'dashboard' });
});

test.each(ROUTES.filter((r) => r.kind === 'dashboard').map((r) => [r.key, r] as const))(
  '%s is not served where the dashboard is off: 404, code 16, as any unknown path',
  async (_key, route) => {
    expectError(await call(emu, route.method, pathOf(route.segments)), 404, 16);
  },
);

describe('the dashboard kind: its auth decides who may call', () => {
  let dash: Emulator;
  let token: string;
  beforeAll(async () => {
    dash = await startEmulator({ dashboard: true });
    const html = await (await fetch(dash.dashboardUrl!)).text();
    token = /<meta name="tokenkit-dashboard-token" content="([A-Za-z0-9_-]+)">/.exec(html)![1]!;
  });
  afterAll(() => dash.close());

  const dashboardRoutes = ROUTES.filter((r) => r.kind === 'dashboard').map((r) => [r.key, r] as const);
  /** A dashboard request through node:http (any Host); every header but the ones given is left out. */
  const ask = (route: Route | { method: string; segments: string[] }, headers: Record<string, string>) =>
    rawRequest(dash, route.method, pathOf(route.segments), route.method === 'POST' ? { 'Content-Type': 'application/json', ...headers } : headers, route.method === 'POST' ? '{}' : undefined);
  /** The dashboard's refusal: status, `{ error }` matching `message` and no platform code or request id. */
  const refused = (a: Answer, status: number, message: RegExp): void => {
    expect({ status: a.status, keys: Object.keys(a.body) }).toEqual({ status, keys: ['error'] });
    expect(a.body['error']).toMatch(message);
    expect(a.headers.get('x-request-id')).toBeNull();
    expect(a.headers.get('cache-control')).toBe('no-store');
  };
  const host = () => `127.0.0.1:${dash.port}`;

  test.each(dashboardRoutes)('%s without the dashboard token: 401', async (_key, route) => {
    refused(await ask(route, { Host: host(), Origin: dash.url }), 401, /X-Dashboard-Token header is missing/);
  });

  test.each(dashboardRoutes)('%s with a wrong dashboard token (the API secret, say): 403', async (_key, route) => {
    refused(await ask(route, { Host: host(), Origin: dash.url, 'X-Dashboard-Token': dash.apiSecret }), 403, /X-Dashboard-Token is not this emulator's/);
  });

  test.each(dashboardRoutes)('%s with a Host that is not loopback (DNS rebinding): 403', async (_key, route) => {
    refused(await ask(route, { Host: `attacker.example:${dash.port}`, Origin: dash.url, 'X-Dashboard-Token': token }), 403, /Host header "attacker.example:\d+" refused/);
  });

  test.each(dashboardRoutes.filter(([, r]) => r.method === 'POST'))('%s from another origin: 403, nothing changed', async (_key, route) => {
    refused(await ask(route, { Host: host(), Origin: 'http://evil.example', 'X-Dashboard-Token': token }), 403, /Origin "http:\/\/evil.example" refused/);
    refused(await ask(route, { Host: host(), 'X-Dashboard-Token': token }), 403, /Origin header is missing/);
    expect(dash.writes()).toEqual([]);
  });

  test('an unknown dashboard path is 404 in the dashboard shape, and only with the token (without: 401)', async () => {
    const unknown = { method: 'GET', segments: ['_dashboard', 'api', 'nope'] };
    refused(await ask(unknown, { Host: host(), 'X-Dashboard-Token': token }), 404, /^no dashboard route \/_dashboard\/api\/nope$/);
    refused(await ask(unknown, { Host: host() }), 401, /X-Dashboard-Token header is missing/);
    const wrongMethod = { method: 'DELETE', segments: ['_dashboard', 'api', 'state'] };
    refused(await ask(wrongMethod, { Host: host(), Origin: dash.url, 'X-Dashboard-Token': token }), 405, /^DELETE is not allowed on \/_dashboard\/api\/state \(allowed: GET\)$/);
  });

  test('a dashboard route is never hit by faults or the rate limit, and needs no Api-Key', async () => {
    dash.faults.set({ sequence: [503] });
    try {
      const state = await ask({ method: 'GET', segments: ['_dashboard', 'api', 'state'] }, { Host: host(), 'X-Dashboard-Token': token });
      expect(state.status).toBe(200);
      expect(state.headers.get('x-ratelimit-limit')).toBeNull();
      expect(dash.faults.stats().remaining).toBe(1);
    } finally {
      dash.faults.clear();
    }
  });
});
