// One route table: the contract's routes and the emulator's own control routes are entries of the
// same kind, and each endpoint's `auth` decides who may call it, over real HTTP on 127.0.0.1.
import type { Emulator } from 'tokenkit/emulator';
import { ROUTES, ROUTE_KINDS } from '../../src/emulator/router';
import { call, expectError, useEmulator } from '../support/emulator';

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
