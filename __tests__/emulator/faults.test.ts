// Fault injection and the per-route rate limit: scripted sequences, seeded fractions, drops before
// and after applying, delays on the emulator's clock, and the admin-only HTTP test routes.
import { ArgumentError } from 'tokenkit';
import { type Emulator, type FaultPlan, startEmulator } from 'tokenkit/emulator';
import { call, connect, createUsers, expectError, useEmulator } from '../support/emulator';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let emu: Emulator;
const clock = useEmulator(T0, (e) => (emu = e));

const getApp = () => call(emu, 'GET', '/v1/app');

describe('scripted sequences', () => {
  test('the next matching requests get the scripted answers in order, then the plan is over', async () => {
    emu.faults.set({ sequence: [503, 429, 'pass', 500], retryAfterSeconds: 7 });
    expectError(await getApp(), 503, -1, /injected/);
    const limited = await getApp();
    expectError(limited, 429, 9);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(T0 / 1000 + 7));
    expect((await getApp()).status).toBe(200);
    expectError(await getApp(), 500, -1);
    expect((await getApp()).status).toBe(200);
    expect(emu.faults.stats()).toEqual({ active: false, matched: 4, injected: 3, remaining: 0, byAction: { '503': 1, '429': 1, '500': 1 } });
  });

  test('a plan on chosen routes leaves the other routes alone', async () => {
    emu.faults.set({ routes: ['POST /v1/connect'], sequence: [503] });
    expect((await getApp()).status).toBe(200);
    expectError(await connect(emu, { user_id: 'alice' }), 503, -1);
    expect((await connect(emu, { user_id: 'alice' })).status).toBe(200);
  });

  test('an injected error applies nothing', async () => {
    emu.faults.set({ sequence: [500] });
    expectError(await call(emu, 'POST', '/v1/users', { body: { users: [{ id: 'alice' }] } }), 500, -1);
    expect(emu.user('alice')).toBeUndefined();
    expect(emu.writes()).toEqual([]);
  });

  test('a plan given at start is active at once', async () => {
    const other = await startEmulator({ faults: { sequence: [503] } });
    try {
      expectError(await call(other, 'GET', '/v1/app'), 503, -1);
      expect((await call(other, 'GET', '/v1/app')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('fractions (seeded, bounded)', () => {
  async function pattern(plan: FaultPlan, n: number): Promise<number[]> {
    emu.faults.set(plan);
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await getApp()).status);
    return statuses;
  }

  test('the same seed picks the same requests; another seed others', async () => {
    const a = await pattern({ rate: 0.5, seed: 42, maxFaults: 1000 }, 40);
    const b = await pattern({ rate: 0.5, seed: 42, maxFaults: 1000 }, 40);
    const c = await pattern({ rate: 0.5, seed: 7, maxFaults: 1000 }, 40);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(5);
  });

  test('a rate plan stops after maxFaults: faults never hit forever', async () => {
    const statuses = await pattern({ rate: 1, action: 429, maxFaults: 3 }, 6);
    expect(statuses).toEqual([429, 429, 429, 200, 200, 200]);
    expect(emu.faults.stats()).toMatchObject({ active: false, injected: 3 });
  });

  test('a bad plan is refused with an ArgumentError naming the field, and the old plan stays', () => {
    emu.faults.set({ sequence: [503] });
    expect(() => emu.faults.set({ rate: 2 })).toThrow(ArgumentError);
    expect(() => emu.faults.set({ rate: 2 })).toThrow(/Invalid fault plan: rate: /);
    expect(() => emu.faults.set({ sequence: [503], rate: 0.5 })).toThrow(/exactly one of sequence or rate/);
    expect(() => emu.faults.set({ routes: ['GET /v1/nothing'], sequence: [503] })).toThrow(/routes\.0/);
    expect(() => emu.faults.set({ sequence: [418 as 429] })).toThrow(/sequence\.0/);
    expect(emu.faults.stats()).toMatchObject({ active: true, remaining: 1 });
  });
});

describe('dropped connections', () => {
  test('drop: the connection is destroyed before handling, and nothing is applied', async () => {
    await createUsers(emu, { id: 'alice' });
    emu.faults.set({ sequence: ['drop'] });
    await expect(call(emu, 'DELETE', '/v1/users/alice/token')).rejects.toThrow('fetch failed');
    expect(emu.user('alice')?.revoke_tokens_issued_before).toBeNull();
    expect(emu.writes({ route: 'DELETE /v1/users/:id/token' })).toEqual([]);
  });

  test('drop_after: applied, answer lost; a retry with the same Idempotency-Key replays it and applies nothing twice', async () => {
    await createUsers(emu, { id: 'alice' }, { id: 'bob' });
    const body = { users: [{ id: 'alice', set: { revoke_tokens_issued_before: new Date(T0).toISOString() } }, { id: 'bob', set: { revoke_tokens_issued_before: new Date(T0).toISOString() } }] };
    const headers = { 'Idempotency-Key': 'c0ffee00-0000-4000-8000-000000000001' };
    emu.faults.set({ routes: ['PATCH /v1/users'], sequence: ['drop_after'] });
    await expect(call(emu, 'PATCH', '/v1/users', { body, headers })).rejects.toThrow('fetch failed');
    expect(emu.user('alice')?.revoke_tokens_issued_before?.getTime()).toBe(T0);
    const retry = await call(emu, 'PATCH', '/v1/users', { body, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    for (const id of ['alice', 'bob']) expect(emu.writes({ userId: id, field: 'revoke_tokens_issued_before' })).toHaveLength(1);
  });

  test('drop_after without an Idempotency-Key: a blind retry applies the write twice (why the key matters)', async () => {
    await createUsers(emu, { id: 'alice' });
    emu.faults.set({ sequence: ['drop_after'] });
    await expect(call(emu, 'POST', '/v1/users/alice/token', { body: {} })).rejects.toThrow('fetch failed');
    expect((await call(emu, 'POST', '/v1/users/alice/token', { body: {} })).status).toBe(200);
    expect(emu.writes({ route: 'POST /v1/users/:id/token' })).toHaveLength(2);
  });
});

describe('delays on the emulator clock', () => {
  test('a delayed request is held until the clock passes the delay, then answered normally', async () => {
    emu.faults.set({ sequence: ['delay'], delayMs: 30_000 });
    let settled = false;
    const pending = getApp().then((a) => {
      settled = true;
      return a;
    });
    for (let i = 0; i < 200 && clock.pendingSleeps() === 0; i++) await new Promise((r) => setImmediate(r));
    expect(clock.pendingSleeps()).toBe(1);
    expect((await getApp()).status).toBe(200); // others pass meanwhile
    expect(settled).toBe(false);
    clock.advance(29_999);
    expect(clock.pendingSleeps()).toBe(1);
    clock.advance(1);
    expect((await pending).status).toBe(200);
    expect(emu.faults.stats().byAction).toEqual({ delay: 1 });
  });
});

describe('per-route rate limit (fixed window)', () => {
  test('over the limit is 429, code 9, with Retry-After and X-RateLimit-*; a new window lets requests through', async () => {
    emu.rateLimit.set({ limit: 2, windowMs: 60_000, routes: ['POST /v1/connect'] });
    clock.set(T0 + 15_000);
    const first = await connect(emu, { user_id: 'a' });
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset')).toBe(String(T0 / 1000 + 60));
    expect((await connect(emu, { user_id: 'a' })).headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await connect(emu, { user_id: 'a' });
    expectError(limited, 429, 9, /rate limited/);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect((await getApp()).status).toBe(200); // another route
    clock.advance(45_000);
    expect((await connect(emu, { user_id: 'a' })).status).toBe(200);
  });

  test('a rate limit given at start applies to every route, each with its own window', async () => {
    const other = await startEmulator({ clock, rateLimit: { limit: 1, windowMs: 1000 } });
    try {
      expect((await call(other, 'GET', '/v1/app')).status).toBe(200);
      expectError(await call(other, 'GET', '/v1/app'), 429, 9);
      expect((await call(other, 'PATCH', '/v1/app', { body: { jwt_enabled: true } })).status).toBe(200);
      other.rateLimit.clear();
      expect((await call(other, 'GET', '/v1/app')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('the admin-only test routes (/_emulator/...)', () => {
  test('need Api-Key and a server token', async () => {
    expectError(await call(emu, 'POST', '/_emulator/faults', { body: { sequence: [503] }, as: 'none' }), 401, 2);
    expectError(await call(emu, 'POST', '/_emulator/faults', { body: { sequence: [503] }, as: 'key' }), 401, 45);
    expectError(await call(emu, 'POST', '/_emulator/faults', { body: { sequence: [503] }, as: { token: emu.userToken('alice') } }), 403, 17);
    expect(emu.faults.stats().active).toBe(false);
  });

  test('set, read and clear a fault plan; they are never hit by it themselves', async () => {
    const set = await call(emu, 'POST', '/_emulator/faults', { body: { sequence: [503, 503] } });
    expect(set.body).toEqual({ faults: { active: true, matched: 0, injected: 0, remaining: 2, byAction: {} } });
    expect((await call(emu, 'GET', '/_emulator/faults')).status).toBe(200);
    expectError(await getApp(), 503, -1);
    expect((await call(emu, 'DELETE', '/_emulator/faults')).body).toMatchObject({ faults: { active: false, injected: 1 } });
    expect((await getApp()).status).toBe(200);
  });

  test('a bad plan is 400, code 4, naming the field', async () => {
    expectError(await call(emu, 'POST', '/_emulator/faults', { body: { sequence: ['explode'] } }), 400, 4, /sequence\.0/);
    expectError(await call(emu, 'POST', '/_emulator/rate-limit', { body: { limit: 0, windowMs: 10 } }), 400, 4, /limit/);
  });

  test('set and clear the rate limit; list writes; reset', async () => {
    const set = await call(emu, 'POST', '/_emulator/rate-limit', { body: { limit: 1, windowMs: 60_000, routes: ['GET /v1/app'] } });
    expect(set.body).toEqual({ rate_limit: { limit: 1, windowMs: 60_000, routes: ['GET /v1/app'] } });
    await getApp();
    expectError(await getApp(), 429, 9);
    await call(emu, 'DELETE', '/_emulator/rate-limit');
    expect((await getApp()).status).toBe(200);

    await createUsers(emu, { id: 'alice' }, { id: 'bob' });
    const writes = await call(emu, 'GET', '/_emulator/writes?user_id=bob');
    expect(writes.body['writes']).toEqual([expect.objectContaining({ userId: 'bob', route: 'POST /v1/users', at: new Date(T0).toISOString() })]);
    expect((await call(emu, 'POST', '/_emulator/reset')).status).toBe(200);
    expect(emu.stats().users).toBe(0);
    expectError(await call(emu, 'GET', '/_emulator/nothing'), 404, 16);
    expectError(await call(emu, 'PUT', '/_emulator/faults', { body: {} }), 405, 4);
  });
});
