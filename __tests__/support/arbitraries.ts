// fast-check generators of invalid arguments, shared by the property tests of ServerClient and
// UserClient. Each one generates only values that the contract or the docs refuse.
import fc from 'fast-check';

/** The contract's user id rule, written here again so the tests do not trust the code's own. */
export const USER_ID = /^[A-Za-z0-9@_\-.]{1,128}$/;

export const userIdArb = fc.stringMatching(/^[A-Za-z0-9@_\-.]{1,128}$/);

/** Anything that is not a valid user id. */
export const badUserIdArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 140 }).filter((s) => !USER_ID.test(s)),
  fc.constantFrom('', ' ', 'alice bob', 'al/ice', 'alice\n', '../admin', '\u0430lice', 'a'.repeat(129)),
  fc.anything({ maxDepth: 1 }).filter((v) => typeof v !== 'string'),
);

/** A non-empty list with at least one bad id in it. */
export const badIdListArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant([]),
  fc.tuple(fc.array(userIdArb, { maxLength: 3 }), badUserIdArb).map(([good, bad]) => [...good, bad]),
  fc.anything({ maxDepth: 1 }).filter((v) => v !== undefined && typeof v !== 'string' && !Array.isArray(v)),
  badUserIdArb.filter((v) => typeof v === 'string'),
);

/** Values that are not a plain options object at all (undefined excluded: it means "no options"). */
export const notAnObjectArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything({ maxDepth: 0 }), { maxLength: 2 }),
);

const badTimeoutArb = fc.oneof(
  fc.double().filter((v) => !(Number.isInteger(v) && v > 0 && v <= 600_000)),
  fc.string(),
  fc.constant(null),
);
const badSignalArb = fc.anything({ maxDepth: 1 }).filter((v) => v !== undefined && !(v instanceof AbortSignal));
/** A key that is none of `known`. */
export const unknownKeyArb = (known: readonly string[]): fc.Arbitrary<string> =>
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.includes(k) && k !== '__proto__');

/** Request options (`{ signal?, timeoutMs? }`) that are wrong. */
export const badRequestOptionsArb = (known: readonly string[] = ['signal', 'timeoutMs']): fc.Arbitrary<unknown> =>
  fc.oneof(
    notAnObjectArb,
    badTimeoutArb.map((timeoutMs) => ({ timeoutMs })),
    badSignalArb.map((signal) => ({ signal })),
    fc.tuple(unknownKeyArb(known), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
  );

/** An `Idempotency-Key` that is not 1 to 255 visible ASCII characters. */
export const badIdempotencyKeyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('', ' ', 'a b', 'key\n', 'clé', 'k\u0000', 'x'.repeat(256)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !/^[\x21-\x7e]{1,255}$/.test(s)),
  fc.anything({ maxDepth: 0 }).filter((v) => v !== undefined && typeof v !== 'string'),
);

/** Write options (`{ signal?, timeoutMs?, idempotencyKey? }`) that are wrong. */
export const badWriteOptionsArb: fc.Arbitrary<unknown> = fc.oneof(
  badRequestOptionsArb(['signal', 'timeoutMs', 'idempotencyKey']),
  badIdempotencyKeyArb.map((idempotencyKey) => ({ idempotencyKey })),
);

/** Not a valid Date (null and undefined excluded: some methods give them a meaning). */
export const badDateArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(new Date(Number.NaN)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 0 }),
  fc.boolean(),
  fc.constant({}),
);

/** JSON-incompatible values: what must never reach JSON.stringify unnoticed. */
export const notJsonArb: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(10n, Symbol('s'), () => 1, Number.NaN, Number.POSITIVE_INFINITY);

/** A user input (`upsertUsers`) list that is wrong in one place. */
export const badUpsertUsersArb: fc.Arbitrary<unknown> = fc.oneof(
  notAnObjectArb.filter((v) => !Array.isArray(v)),
  fc.constant([]),
  badUserIdArb.map((id) => [{ id }]),
  fc.tuple(userIdArb, fc.oneof(fc.integer(), fc.constant(null), fc.string({ minLength: 1025, maxLength: 1030 }))).map(([id, name]) => [{ id, name }]),
  fc.tuple(userIdArb, fc.string().filter((r) => !['user', 'guest', 'admin'].includes(r))).map(([id, role]) => [{ id, role }]),
  fc.tuple(userIdArb, fc.constantFrom('created_at', 'updated_at', 'requires_token', 'revoke_tokens_issued_before')).map(([id, f]) => [{ id, [f]: null }]),
  fc.tuple(userIdArb, notJsonArb).map(([id, v]) => [{ id, custom: v }]),
  userIdArb.map((id) => [{ id }, { id }]),
  fc.constantFrom<unknown>([null], ['alice'], [[{ id: 'a' }]]),
);

/** A partial update input that is wrong in one place. */
export const badPartialArb: fc.Arbitrary<unknown> = fc.oneof(
  notAnObjectArb,
  fc.constant({}),
  fc.constant({ users: [] }),
  notAnObjectArb.filter((v) => !Array.isArray(v)).map((users) => ({ users })),
  badUserIdArb.map((id) => ({ users: [{ id, set: { a: 1 } }] })),
  userIdArb.map((id) => ({ users: [{ id }] })),
  fc.tuple(userIdArb, fc.constantFrom('id', 'created_at', 'updated_at', 'requires_token')).map(([id, f]) => ({ users: [{ id, set: { [f]: 'x' } }] })),
  fc.tuple(userIdArb, fc.constantFrom('id', 'role', 'created_at', 'requires_token', 'revoke_tokens_issued_before')).map(([id, f]) => ({ users: [{ id, unset: [f] }] })),
  userIdArb.map((id) => ({ users: [{ id, set: { color: 1 }, unset: ['color'] }] })),
  fc.tuple(userIdArb, badDateArb).map(([id, d]) => ({ users: [{ id, set: { revoke_tokens_issued_before: d } }] })),
  fc.tuple(userIdArb, notJsonArb).map(([id, v]) => ({ users: [{ id, set: { custom: v } }] })),
  userIdArb.map((id) => ({ users: [{ id, set: { a: 1 } }], extra: true })),
  userIdArb.map((id) => ({ users: [{ id, set: { a: 1 } }, { id, set: { b: 2 } }] })),
);

/** An app patch that is wrong. */
export const badAppPatchArb: fc.Arbitrary<unknown> = fc.oneof(
  notAnObjectArb,
  fc.constant(undefined),
  fc.constant({}),
  fc.tuple(unknownKeyArb(['revoke_tokens_issued_before', 'disable_auth_checks', 'access_token_permission', 'jwt_enabled', 'jwt_compatibility_mode']), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
  fc.tuple(fc.constantFrom('disable_auth_checks', 'jwt_enabled', 'jwt_compatibility_mode'), fc.anything({ maxDepth: 0 }).filter((v) => v !== undefined && typeof v !== 'boolean')).map(([k, v]) => ({ [k]: v })),
  fc.string().filter((s) => !['deny_login', 'read_only', 'read_write'].includes(s)).map((access_token_permission) => ({ access_token_permission })),
  badDateArb.map((revoke_tokens_issued_before) => ({ revoke_tokens_issued_before })),
);

/** The rule for a header value (an API key, a token), written again here: printable ASCII, inner spaces and tabs allowed, HTTP whitespace at the ends. */
export const SENDABLE = /^[\t\n\r ]*[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?[\t\n\r ]*$/;

/** Strings that cannot be sent as a header value: a control or non-ASCII character inside, or only whitespace. */
export const unsendableArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => !SENDABLE.test(s)),
  fc.constantFrom(' ', '\n', 'key\nx', 'k\u0000ey', 'clé', 'tok\u2028en', 'a\rb'),
);
