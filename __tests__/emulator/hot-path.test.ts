// The emulator's hot path (src/emulator/hot-path.ts) answers exactly as the general path does:
// its encoders write the bytes the response schemas' encoding writes, its decoder gives the input
// the request schema gives (and leaves every other body to the schema), and over real HTTP on
// 127.0.0.1 the same requests get the same statuses, headers and bodies with the hot path on and
// off, refusals included. Also the compact user store (src/emulator/users.ts) gives back what it was given.
import fc from 'fast-check';
import { z } from 'zod';
import { type Emulator, createManualClock, startEmulator } from 'tokenkit/emulator';
import { FAST_CODECS, type FastCodec } from '../../src/emulator/hot-path';
import { UserStore } from '../../src/emulator/users';
import { adminEndpoints, clientEndpoints } from '../../src/schemas/endpoints';
import { type User, userSchema } from '../../src/schemas/users';
import { badDateArb, badUserIdArb, notJsonArb, userIdArb } from '../support/arbitraries';
import { sign } from '../support/emulator';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function user(id: string, extra: Record<string, unknown> = {}): User {
  return {
    id,
    role: 'user',
    created_at: new Date(T0),
    updated_at: new Date(T0 + 1),
    revoke_tokens_issued_before: null,
    requires_token: false,
    ...extra,
  } as User;
}

/** Users of every shape a stored user takes. */
const USERS: User[] = [
  user('plain'),
  user('named', { name: 'Ann' }),
  user('unchanged', { updated_at: new Date(T0) }), // never changed: created_at and updated_at the same
  // Custom fields before the known ones, integer-like keys, nested values, a "__proto__" key.
  { team: 'blue', ...user('custom', { '10': 1, '2': [1, { a: null }], nested: { x: 'y' }, name: '' }) } as User,
  user('revoked', { role: 'guest', revoke_tokens_issued_before: new Date(T0 + 2), requires_token: true }),
  user('admin.role@x', { role: 'admin', name: 'Zed', flag: false, count: 0 }),
];
const proto = user('__proto__');
Object.defineProperty(proto, '__proto__', { value: { hidden: 1 }, enumerable: true, writable: true, configurable: true });
USERS.push(proto);

function codec(endpoint: object): FastCodec {
  const c = FAST_CODECS.get(endpoint as never);
  if (!c) throw new Error('no fast codec for this endpoint');
  return c;
}

describe('hot-path encoders', () => {
  test('connect: the same bytes as the response schema, with a user and anonymous', () => {
    const { encode } = codec(clientEndpoints.connect);
    for (const u of USERS) {
      for (const auth of ['jwt', 'dev', 'session', 'none'] as const) {
        const out = { user: u, connection_id: 'c-1', auth };
        expect(encode!(out)).toBe(JSON.stringify(z.encode(clientEndpoints.connect.response, out as never)));
      }
    }
    const anon = { connection_id: 'c-2', auth: 'anonymous' };
    expect(encode!(anon)).toBe(JSON.stringify(z.encode(clientEndpoints.connect.response, anon as never)));
  });

  test('one user and users by id: the same bytes as the response schemas', () => {
    for (const e of [clientEndpoints.getUser, clientEndpoints.updateMe, adminEndpoints.getUser]) {
      for (const u of USERS) expect(codec(e).encode!({ user: u })).toBe(JSON.stringify(z.encode(e.response, { user: u } as never)));
    }
    const byId = Object.fromEntries(USERS.map((u) => [u.id, u]));
    for (const e of [adminEndpoints.upsertUsers, adminEndpoints.updateUsersPartial]) {
      const encoded = codec(e).encode!({ users: byId });
      expect(encoded).toBe(JSON.stringify(z.encode(e.response, { users: byId } as never)));
      expect(Object.keys((JSON.parse(encoded) as { users: object }).users)).toContain('__proto__');
    }
    for (const next of [null, 'cursor-1']) {
      for (const users of [USERS, []]) {
        const out = { users, next };
        expect(codec(adminEndpoints.queryUsers).encode!(out)).toBe(JSON.stringify(z.encode(adminEndpoints.queryUsers.response, out as never)));
      }
    }
  });
});

describe('hot-path connect decoder', () => {
  const { decode } = codec(clientEndpoints.connect);
  const schema = clientEndpoints.connect.request;

  test('the plain bodies: the input the schema gives', () => {
    for (const body of [{}, { user_id: 'alice' }, { user_id: 'a.b@c_d-e' }, { user_id: 'x'.repeat(128) }, { anonymous: true }]) {
      expect(decode!(body)).toEqual(z.decode(schema, body as never));
    }
  });

  test('anything else is left to the schema (which refuses these)', () => {
    const others: unknown[] = [
      [],
      null,
      'x',
      { user_id: '' },
      { user_id: 'x'.repeat(129) },
      { user_id: 'bad id' },
      { user_id: 5 },
      { anonymous: false },
      { anonymous: true, user_id: 'a' },
      { extra: 1 },
      { user_id: undefined },
    ];
    for (const body of others) {
      expect(decode!(body)).toBeUndefined();
      if (body !== undefined && !(typeof body === 'object' && body !== null && 'user_id' in body && body.user_id === undefined)) {
        expect(z.safeDecode(schema, body as never).success).toBe(false);
      }
    }
  });
});

describe('hot-path user-list decoders (POST and PATCH /v1/users)', () => {
  const upsert = { decode: codec(adminEndpoints.upsertUsers).decode!, schema: adminEndpoints.upsertUsers.request };
  const partial = { decode: codec(adminEndpoints.updateUsersPartial).decode!, schema: adminEndpoints.updateUsersPartial.request };
  const wire = new Date(T0).toISOString();

  /** The decoder's input and the schema's, the same values with the same key order (dates as ISO strings). */
  function expectSchemaOutput(decode: (body: unknown) => unknown, schema: z.ZodType, body: unknown): void {
    const fast = decode(body);
    const general = z.decode(schema, body as never);
    expect(fast).toStrictEqual(general);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(general)); // key order too
  }

  test('the plain bodies: the input the schema gives', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => ({ id: `u${i}` }));
    for (const body of [
      { users: [{ id: 'a' }] },
      { users: hundred },
      { users: [{ role: 'admin', team: 'blue', id: 'a.b@c_d-e', name: 'Ann', '7': [1, { x: null }] }, { id: '__proto__', name: '' }] },
      { users: [{ id: 'x'.repeat(128), name: 'n'.repeat(1024), nested: { a: [true, 1.5, 'x'] } }] },
    ]) {
      expectSchemaOutput(upsert.decode, upsert.schema, body);
    }
    for (const body of [
      { users: hundred.map(({ id }) => ({ id, set: { revoke_tokens_issued_before: wire } })) },
      { users: hundred.map(({ id }) => ({ id, set: { revoke_tokens_issued_before: null } })) },
      { users: [{ set: { team: 'red', revoke_tokens_issued_before: '2024-02-29T23:59:59.999Z', role: 'guest', name: 'N' }, id: 'a' }] },
      { users: [{ unset: ['team', 'name'], id: 'a' }, { id: 'b', set: {}, unset: [] }, { id: 'c', set: { mood: { a: [1] } }, unset: ['team'] }] },
      { users: [{ id: 'a', set: { revoke_tokens_issued_before: '0000-01-01T00:00:00.000Z' } }] },
    ]) {
      expectSchemaOutput(partial.decode, partial.schema, body);
    }
    // One cutoff on every user: a Date of its own for each, as the schema gives.
    const [first, second] = (partial.decode({ users: hundred.map(({ id }) => ({ id, set: { revoke_tokens_issued_before: wire } })) }) as { users: Array<{ set: { revoke_tokens_issued_before: Date } }> }).users;
    expect(first?.set.revoke_tokens_issued_before).toEqual(new Date(T0));
    expect(first?.set.revoke_tokens_issued_before).not.toBe(second?.set.revoke_tokens_issued_before);
  });

  test('anything else is left to the schema: these it refuses', () => {
    const users = (...list: unknown[]) => ({ users: list });
    const refusedUpsert: unknown[] = [
      null,
      [],
      {},
      users(),
      { users: [{ id: 'a' }], extra: 1 },
      { users: { id: 'a' } },
      users(...Array.from({ length: 101 }, (_, i) => ({ id: `u${i}` }))),
      users({ id: 'a' }, { id: 'a' }),
      users({ id: '' }),
      users({ id: 'bad id' }),
      users({ id: 5 }),
      users({ name: 'no id' }),
      users('a'),
      users({ id: 'a', name: 5 }),
      users({ id: 'a', name: 'n'.repeat(1025) }),
      users({ id: 'a', role: 'owner' }),
      users({ id: 'a', created_at: wire }),
      users({ id: 'a', revoke_tokens_issued_before: null }),
      users({ id: 'a', requires_token: true }),
      users({ id: 'a', custom: Number.NaN }),
      users({ id: 'a', custom: new Date(T0) }),
      users({ id: 'a', custom: [1, 10n] }),
    ];
    for (const body of refusedUpsert) {
      expect(upsert.decode(body)).toBeUndefined();
      expect(z.safeDecode(upsert.schema, body as never).success).toBe(false);
    }
    const refusedPartial: unknown[] = [
      null,
      {},
      users(),
      users({ id: 'a' }),
      users({ id: 'a', set: { a: 1 }, other: 1 }),
      users({ id: 'a', set: { a: 1 } }, { id: 'a', set: { b: 1 } }),
      users({ id: 'bad id', set: { a: 1 } }),
      users({ id: 'a', set: [] }),
      users({ id: 'a', set: null }),
      users({ id: 'a', set: { id: 'b' } }),
      users({ id: 'a', set: { created_at: wire } }),
      users({ id: 'a', set: { requires_token: false } }),
      users({ id: 'a', set: { role: 'owner' } }),
      users({ id: 'a', set: { name: null } }),
      users({ id: 'a', set: { revoke_tokens_issued_before: '2026-02-30T00:00:00.000Z' } }),
      users({ id: 'a', set: { revoke_tokens_issued_before: '2026-01-01T24:00:00.000Z' } }),
      users({ id: 'a', set: { revoke_tokens_issued_before: 'yesterday' } }),
      users({ id: 'a', set: { revoke_tokens_issued_before: T0 } }),
      users({ id: 'a', set: { revoke_tokens_issued_before: new Date(T0) } }),
      users({ id: 'a', set: { custom: Number.POSITIVE_INFINITY } }),
      users({ id: 'a', unset: 'team' }),
      users({ id: 'a', unset: [1] }),
      users({ id: 'a', unset: ['role'] }),
      users({ id: 'a', unset: ['revoke_tokens_issued_before'] }),
      users({ id: 'a', set: { team: 1 }, unset: ['team'] }),
    ];
    for (const body of refusedPartial) {
      expect(partial.decode(body)).toBeUndefined();
      expect(z.safeDecode(partial.schema, body as never).success).toBe(false);
    }
    // Forms the schema takes and the decoder leaves to it: the schema decodes them.
    for (const d of ['2026-01-01T00:00:00Z', '2026-01-01T01:00:00.000+01:00', '2026-01-01T00:00:00.5Z']) {
      const body = users({ id: 'a', set: { revoke_tokens_issued_before: d } });
      expect(partial.decode(body)).toBeUndefined();
      expect(z.safeDecode(partial.schema, body as never).success).toBe(true);
    }
  });

  test('random bodies: the decoder gives the schema\'s input or leaves the body to the schema', () => {
    const id = fc.oneof(fc.constantFrom('a', 'b', '__proto__', 'x'.repeat(128)), userIdArb, badUserIdArb);
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), notJsonArb, fc.constant(undefined));
    const date = fc.oneof(
      fc.date({ min: new Date(-62_167_219_200_000), max: new Date(253_402_300_799_999), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      fc.constant(null),
      badDateArb,
    );
    const fields = fc.dictionary(
      fc.oneof(fc.constantFrom('name', 'role', 'id', 'created_at', 'requires_token', 'revoke_tokens_issued_before', 'team', '3', '__proto__'), fc.string({ maxLength: 4 })),
      fc.oneof(value, fc.constantFrom('user', 'admin', 'owner'), date),
      { maxKeys: 4 },
    );
    const upsertUser = fc.tuple(id, fields).map(([i, f]) => ({ ...f, id: i }));
    const unset = fc.array(fc.oneof(fc.constantFrom('team', 'name', 'role', 'revoke_tokens_issued_before'), fc.string({ maxLength: 3 })), { maxLength: 3 });
    const partialUser = fc.record({ id, set: fields, unset }, { requiredKeys: ['id'] });
    const taken = { fast: 0, general: 0 };
    const check = (decode: (body: unknown) => unknown, schema: z.ZodType) => (list: unknown[]) => {
      const body = { users: list };
      const fast = decode(body);
      const general = z.safeDecode(schema, body as never);
      if (general.success) taken[fast === undefined ? 'general' : 'fast']++;
      if (fast === undefined) return;
      expect(general.success).toBe(true);
      expect(fast).toStrictEqual(general.data);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(general.data));
    };
    fc.assert(fc.property(fc.array(upsertUser, { minLength: 1, maxLength: 4 }), check(upsert.decode, upsert.schema)), { numRuns: 500 });
    fc.assert(fc.property(fc.array(partialUser, { minLength: 1, maxLength: 4 }), check(partial.decode, partial.schema)), { numRuns: 500 });
    // Both ways are taken by bodies the schema accepts.
    // Both ways are taken by bodies the schema accepts (about 90 and 40 of the 1,000 runs).
    expect(taken.fast).toBeGreaterThan(20);
    expect(taken.general).toBeGreaterThan(5);
  });
});

describe('UserStore', () => {
  test('gives back each user as stored (a copy), in the order first stored, with its cutoff', () => {
    const store = new UserStore();
    for (const u of USERS) store.set(u.id, u);
    expect(store.size).toBe(USERS.length);
    for (const u of USERS) {
      const back = store.get(u.id)!;
      expect(back).toEqual(u);
      expect(Object.keys(back).sort()).toEqual(Object.keys(u).sort());
      expect(back).not.toBe(u);
      expect(store.cutoffMs(u.id)).toBe(u.revoke_tokens_issued_before?.getTime() ?? null);
    }
    expect([...store.keys()]).toEqual(USERS.map((u) => u.id));
    expect([...store.values()].map((u) => u.id)).toEqual(USERS.map((u) => u.id));
    expect(store.get('nobody')).toBeUndefined();
    expect(store.cutoffMs('nobody')).toBeUndefined();
    // Changing a copy changes nothing stored; set replaces, custom fields included.
    store.get('named')!.name = 'changed';
    expect(store.get('named')!.name).toBe('Ann');
    store.set('custom', user('custom'));
    expect(store.get('custom')).toEqual(user('custom'));
    expect(store.size).toBe(USERS.length);
  });

  test('grows past its first arrays and clears', () => {
    const store = new UserStore();
    for (let i = 0; i < 5000; i++) store.set(`u${i}`, user(`u${i}`, i % 7 === 0 ? { revoke_tokens_issued_before: new Date(T0 + i) } : {}));
    expect(store.size).toBe(5000);
    expect(store.get('u4999')).toEqual(user('u4999'));
    expect(store.cutoffMs('u4998')).toBe(T0 + 4998);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.has('u1')).toBe(false);
  });
});

/** One request of the script: method, path, headers, raw body. */
interface Step {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

describe('hot path on and off, over HTTP', () => {
  let emu: Emulator;
  const clock = createManualClock(T0);
  beforeAll(async () => {
    emu = await startEmulator({ clock });
  });
  afterAll(() => emu.close());

  /** The requests, with tokens minted once (the same strings in both runs). */
  function script(): Step[] {
    const nowS = Math.floor(T0 / 1000);
    const token = (userId: string, iat = nowS, exp = nowS + 3600): string => sign(emu, { user_id: userId, iat, exp });
    const key = emu.apiKey;
    const json = { 'Api-Key': key, 'Content-Type': 'application/json' };
    const as = (t: string): Record<string, string> => ({ ...json, Authorization: `Bearer ${t}` });
    const admin = (): Record<string, string> => as(emu.serverToken());
    const connect = (headers: Record<string, string>, body: string): Step => ({ method: 'POST', path: '/v1/connect', headers, body });
    const alice = token('alice');
    const old = token('rev', nowS - 60);
    const bad = alice.slice(0, -2) + (alice.endsWith('AA') ? 'BB' : 'AA');
    return [
      connect(as(alice), '{}'),
      connect(as(alice), '{}'),
      connect(as(alice), '{"user_id":"alice"}'),
      connect(as(alice), '{"user_id":"bob"}'), // another user's token: 46
      connect(json, '{"user_id":"carol"}'), // no token: auth none
      connect(json, '{"anonymous":true}'),
      connect(json, ''), // empty body: {}, then user_id required without a token
      connect({ 'Content-Type': 'application/json', Authorization: `Bearer ${alice}` }, '{}'), // no Api-Key
      connect({ ...as(alice), 'Api-Key': 'wrong' }, '{}'),
      connect(as('not-a-jwt'), '{}'),
      connect({ ...json, Authorization: 'Basic abc' }, '{}'),
      connect(as(bad), '{}'),
      connect(as(token('dave', nowS - 7200, nowS - 3600)), '{}'), // expired
      connect(as(alice), '{not json'),
      connect({ 'Api-Key': key, Authorization: `Bearer ${alice}` }, '{}'), // no Content-Type
      connect(as(alice), '{"user_id":"bad id!"}'),
      connect(as(alice), '{"user_id":5}'),
      connect(as(alice), '{"anonymous":false}'),
      connect(as(alice), '{"anonymous":true,"user_id":"alice"}'),
      connect(as(alice), '[]'),
      connect(as(alice), '{"extra":1}'),
      connect(as(alice), '{"__proto__":{"x":1}}'),
      connect(as(old), '{}'), // creates rev
      { method: 'DELETE', path: '/v1/users/rev/token', headers: admin() },
      connect(as(old), '{}'), // revoked: 44
      {
        method: 'POST',
        path: '/v1/users',
        headers: admin(),
        body: JSON.stringify({ users: [{ id: 'erin', name: 'Erin', team: 'red', '7': [1] }, { id: '__proto__', role: 'admin' }, { id: '12' }] }),
      },
      {
        method: 'PATCH',
        path: '/v1/users',
        headers: admin(),
        body: JSON.stringify({ users: [{ id: 'erin', set: { mood: { a: 1 } }, unset: ['team'] }, { id: 'alice', set: { revoke_tokens_issued_before: new Date(T0 - 5000).toISOString() } }] }),
      },
      { method: 'PATCH', path: '/v1/users', headers: admin(), body: JSON.stringify({ users: [{ id: 'nobody', set: { a: 1 } }] }) },
      // The user lists' refusals (and forms the hot path leaves to the schema), each with its code and message.
      ...[
        '{"users":[{"id":"a"},{"id":"a"}]}',
        '{"users":[]}',
        '{"users":[{"id":"bad id"}]}',
        '{"users":[{"id":"a","created_at":"2026-01-01T00:00:00.000Z"}]}',
        '{"users":[{"id":"a","role":"owner"}]}',
        '{"users":[{"id":"a"}],"extra":1}',
        '{"users":[{"id":"fay","__proto__":{"x":1}}]}',
        JSON.stringify({ users: Array.from({ length: 101 }, (_, i) => ({ id: `u${i}` })) }),
      ].map((body): Step => ({ method: 'POST', path: '/v1/users', headers: admin(), body })),
      ...[
        '{"users":[{"id":"alice","set":{"revoke_tokens_issued_before":"2026-02-30T00:00:00.000Z"}}]}',
        '{"users":[{"id":"alice","set":{"revoke_tokens_issued_before":"2026-01-02T04:04:05+01:00"}}]}',
        '{"users":[{"id":"alice","set":{"revoke_tokens_issued_before":null},"unset":["role"]}]}',
        '{"users":[{"id":"alice","set":{"team":1},"unset":["team"]}]}',
        '{"users":[{"id":"alice"}]}',
        '{"users":[{"id":"alice","set":{"requires_token":false}}]}',
        '{"users":[{"id":"erin","set":{"revoke_tokens_issued_before":null,"name":"E"}},{"id":"12","unset":["name"]}]}',
      ].map((body): Step => ({ method: 'PATCH', path: '/v1/users', headers: admin(), body })),
      { method: 'GET', path: '/v1/users?limit=2', headers: admin() },
      { method: 'GET', path: '/v1/users?ids=erin,nobody,__proto__,alice', headers: admin() },
      { method: 'GET', path: '/v1/users?limit=0', headers: admin() },
      { method: 'GET', path: '/v1/users/erin', headers: admin() },
      { method: 'GET', path: '/v1/users/erin', headers: as(token('carol')) },
      { method: 'GET', path: '/v1/users/nobody', headers: admin() },
      { method: 'PATCH', path: '/v1/me', headers: as(token('carol')), body: JSON.stringify({ set: { name: 'Carol', zip: '1' } }) },
    ];
  }

  /** Status, headers (without the per-request ones) and body, with every UUID (connection and request ids) made one. */
  async function run(steps: Step[]): Promise<string[]> {
    await emu.reset();
    const out: string[] = [];
    for (const s of steps) {
      const res = await fetch(emu.url + s.path, { method: s.method, headers: s.headers, ...(s.body === undefined ? {} : { body: s.body }) });
      const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id');
      const body = (await res.text()).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
      out.push(`${s.method} ${s.path} ${s.body ?? ''} -> ${res.status} ${JSON.stringify(headers)} ${body}`);
    }
    return out;
  }

  test('emulator.user: the copy the schema gives (fields in its order, Dates of this realm), a new one on every call', async () => {
    await run(script());
    for (const id of ['alice', 'erin', '__proto__', '12', 'rev', 'carol']) {
      const user = emu.user(id)!;
      const viaSchema = z.decode(userSchema, z.encode(userSchema, user));
      expect(user).toStrictEqual(viaSchema);
      expect(Object.keys(user)).toEqual(Object.keys(viaSchema));
      expect(user.created_at).toBeInstanceOf(Date);
      expect(emu.user(id)).not.toBe(user);
      user.role = 'guest';
      user.created_at.setTime(0);
      expect(emu.user(id)).toStrictEqual(viaSchema);
    }
    expect(emu.user('alice')?.revoke_tokens_issued_before).toEqual(new Date('2026-01-02T03:04:05.000Z')); // the +01:00 form, through the schema
    expect(emu.user('erin')).toMatchObject({ name: 'E', mood: { a: 1 } });
  });

  test('the same answers, byte for byte, refusals included', async () => {
    const steps = script();
    const fast = await run(steps);
    const saved = [...FAST_CODECS];
    FAST_CODECS.clear();
    let general: string[];
    try {
      general = await run(steps);
    } finally {
      for (const [k, v] of saved) FAST_CODECS.set(k, v);
    }
    expect(fast).toEqual(general);
    // The script reaches what it means to: successes and each refusal.
    const statuses = fast.map((line) => Number(/ -> (\d+) /.exec(line)?.[1]));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    for (const code of ['"code":2,', '"code":4,', '"code":16,', '"code":40,', '"code":43,', '"code":44,', '"code":46,', 'must hold at most 100 users', 'is both set and unset']) {
      expect(fast.some((line) => line.includes(code))).toBe(true);
    }
  });
});
