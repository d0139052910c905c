// The hand-written decoders of the hot answers (src/http/decoders.ts) and the hand-written encoder
// of PATCH /v1/users lists (src/admin/users.ts) stand for zod schemas: for what they accept they
// must build the very value zod builds (the same keys in the same order, Dates, unknown fields),
// and they must leave everything else to zod, so that its messages stay the errors.
import { z } from 'zod';
import { fastPartialList } from '../../src/admin/users';
import { FAST_DECODERS, fastUser, readUserCutoffs } from '../../src/http/decoders';
import { decodeResponse } from '../../src/http/response';
import { partialUpdateRequestSchema, queryUsersResponseSchema, userResponseSchema, userSchema, usersResponseSchema } from '../../src/schemas/users';

const base = {
  id: 'alice',
  name: 'Alice',
  role: 'user',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T03:04:05.678Z',
  revoke_tokens_issued_before: null,
  requires_token: false,
};

/** Wire users zod accepts: fields missing, extra, reordered, a cutoff, offsets. */
const goodUsers: Array<Record<string, unknown>> = [
  base,
  { ...base, revoke_tokens_issued_before: '2026-03-01T10:00:00.123Z' },
  { requires_token: true, revoke_tokens_issued_before: '2026-03-01T10:00:00+02:00', updated_at: base.updated_at, created_at: base.created_at, role: 'admin', id: 'b.o-b@x_1' },
  { ...base, name: undefined },
  (({ name: _n, ...rest }) => ({ ...rest, team: 'blue', score: 3, tags: ['a'], nested: { a: 1 } }))(base),
  { ...base, role: 'guest', created_at: '2024-02-29T00:00:00Z' },
];

/** Wire users zod refuses: each must go to zod (the fast decoder answers undefined). */
const badUsers: unknown[] = [
  null,
  [],
  'alice',
  { ...base, id: '' },
  { ...base, id: 'a b' },
  { ...base, id: 'x'.repeat(129) },
  { ...base, name: 3 },
  { ...base, role: 'owner' },
  { ...base, created_at: '2026-02-30T00:00:00.000Z' },
  { ...base, created_at: '2026-01-01' },
  { ...base, updated_at: 1767225600000 },
  { ...base, revoke_tokens_issued_before: 'yesterday' },
  { ...base, revoke_tokens_issued_before: undefined },
  { ...base, requires_token: 'no' },
  (({ role: _r, ...rest }) => rest)(base),
];

/** The decoded value with its key order made visible (Dates as ISO strings). */
const shape = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? `Date(${x.toISOString()})` : x === undefined ? '(undefined)' : x));

test.each(goodUsers.map((u, i) => [i, u]))('good user %i: the fast decoder builds what zod builds, key order included', (_i, wire) => {
  const fast = fastUser(wire);
  const zod = z.decode(userSchema, wire as z.input<typeof userSchema>);
  expect(fast).toEqual(zod);
  expect(shape(fast)).toBe(shape(zod));
  expect(Object.keys(fast ?? {})).toEqual(Object.keys(zod));
});

test.each(badUsers.map((u, i) => [i, u]))('bad user %i: zod refuses it and the fast decoder leaves it to zod', (_i, wire) => {
  expect(z.safeDecode(userSchema, wire as z.input<typeof userSchema>).success).toBe(false);
  expect(fastUser(wire)).toBeUndefined();
});

test('users by id: every id an own key (__proto__ too), unknown top-level fields copied, as zod does', () => {
  const text = `{"users":{"alice":${JSON.stringify(base)},"__proto__":${JSON.stringify({ ...base, id: '__proto__' })}},"duration":"2ms"}`;
  const wire: unknown = JSON.parse(text);
  const fast = FAST_DECODERS.get(usersResponseSchema)!(wire) as z.output<typeof usersResponseSchema>;
  const zod = z.decode(usersResponseSchema, wire as z.input<typeof usersResponseSchema>);
  expect(shape(fast)).toBe(shape(zod));
  expect(Object.prototype.hasOwnProperty.call(fast.users, '__proto__')).toBe(true);
  expect(Object.getPrototypeOf(fast.users)).toBe(Object.prototype);
});

test('a user answer and a page of users decode as zod decodes them', () => {
  const one = { user: goodUsers[4], extra: 1 };
  expect(shape(FAST_DECODERS.get(userResponseSchema)!(one))).toBe(shape(z.decode(userResponseSchema, one as never)));
  const page = { users: goodUsers, next: 'c1' };
  expect(shape(FAST_DECODERS.get(queryUsersResponseSchema)!(page))).toBe(shape(z.decode(queryUsersResponseSchema, page as never)));
  expect(FAST_DECODERS.get(queryUsersResponseSchema)!({ users: goodUsers })).toBeUndefined(); // next missing: zod says so
});

test('an answer that breaks the contract still gets zod issues, word for word', () => {
  const res = new Response('', { headers: { 'x-request-id': 'req-1' } });
  const text = JSON.stringify({ user: { ...base, role: 'owner', created_at: 'soon' } });
  const ctx = { method: 'GET', path: '/v1/users/alice', headers: {} };
  const zodIssues = z.safeDecode(userResponseSchema, JSON.parse(text) as never).error!.issues.map((i) => i.message);
  expect(() => decodeResponse(userResponseSchema, res, text, ctx)).toThrow(
    expect.objectContaining({ name: 'ResponseShapeError', requestId: 'req-1', message: expect.stringContaining('(GET /v1/users/alice, request req-1)') }),
  );
  try {
    decodeResponse(userResponseSchema, res, text, ctx);
  } catch (e) {
    expect((e as { issues: Array<{ path: string; message: string }> }).issues.map((i) => i.message)).toEqual(zodIssues);
    expect((e as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual(['user.role', 'user.created_at']);
  }
});

test('readUserCutoffs reads each cutoff (ms, or null), and names a bad one by its path', () => {
  const wire = { users: { a: { ...base, revoke_tokens_issued_before: '2026-03-01T10:00:00.123Z' }, b: base } };
  expect(readUserCutoffs(wire)).toEqual({ ok: true, value: [Date.parse('2026-03-01T10:00:00.123Z'), null] });
  expect(readUserCutoffs({ users: { a: { revoke_tokens_issued_before: 'later' } } })).toEqual({
    ok: false,
    issues: [{ path: 'users.a.revoke_tokens_issued_before', message: expect.stringContaining('RFC 3339') }],
  });
  expect(readUserCutoffs({ users: [] })).toMatchObject({ ok: false, issues: [{ path: 'users' }] });
  expect(readUserCutoffs('x')).toMatchObject({ ok: false });
});

const goodLists: unknown[][] = [
  [{ id: 'alice', set: { revoke_tokens_issued_before: new Date('2026-01-01T00:00:00.000Z') } }],
  [{ id: 'alice', set: { revoke_tokens_issued_before: null } }, { id: 'bob', set: { score: 1, team: 'x', ok: true, none: null } }],
  [{ unset: ['nickname'], id: 'alice', set: { role: 'admin', name: 'Al', gone: undefined } }],
  [{ id: 'alice', set: { team: 'x', name: undefined, revoke_tokens_issued_before: undefined } }],
  [{ id: 'alice', unset: ['a', 'b'] }, { id: 'bob', set: {}, unset: undefined }],
];

const badLists: unknown[] = [
  [],
  {},
  [{ id: 'alice' }],
  [{ id: 'alice', set: { revoke_tokens_issued_before: new Date(NaN) } }],
  [{ id: 'alice', set: { revoke_tokens_issued_before: '2026-01-01T00:00:00.000Z' } }],
  [{ id: 'alice', set: { created_at: new Date() } }],
  [{ id: 'alice', set: { score: NaN } }],
  [{ id: 'alice', set: { name: 'x'.repeat(1025) } }],
  [{ id: 'alice', set: { role: 'owner' } }],
  [{ id: 'alice', unset: ['role'] }],
  [{ id: 'alice', set: { a: 1 }, unset: ['a'] }],
  [{ id: 'alice', set: { a: 1 } }, { id: 'alice', set: { a: 2 } }],
  [{ id: 'al ice', set: { a: 1 } }],
  [{ id: 'alice', set: { a: 1 }, extra: true }],
];

test.each(goodLists.map((l, i) => [i, l]))('good list %i: the fast encoder sends the bytes zod sends', (_i, list) => {
  const fast = fastPartialList(list);
  const zod = z.encode(partialUpdateRequestSchema, { users: list } as never) as { users: unknown[] };
  expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.users));
  expect(shape(fast)).toBe(shape(zod.users));
});

test.each(badLists.map((l, i) => [i, l]))('bad list %i: zod refuses it and the fast encoder leaves it to zod', (_i, list) => {
  expect(z.safeEncode(partialUpdateRequestSchema, { users: list } as never).success).toBe(false);
  expect(fastPartialList(list)).toBeUndefined();
});

test('lists the fast encoder does not take (arrays, objects as custom values) go through zod, and still encode', () => {
  const list = [{ id: 'alice', set: { tags: ['a'], meta: { b: 1 } } }];
  expect(fastPartialList(list)).toBeUndefined();
  expect(z.safeEncode(partialUpdateRequestSchema, { users: list } as never).success).toBe(true);
});
