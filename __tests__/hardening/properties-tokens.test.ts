// Property-based tests of the token functions: valid input always round-trips (mint,
// createToken, devToken, verified by tokenkit and by jsonwebtoken); invalid input is always an
// ArgumentError; any other token is always a TokenError, never a crash; and verifyUserToken and
// the emulator agree on every generated payload.
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { ArgumentError, MAX_VALIDITY_SECONDS, ServerClient, TokenError, verifyUserToken } from 'tokenkit';
import { type Emulator, createManualClock, startEmulator } from 'tokenkit/emulator';
import { HS, connectOutcome, outcomeOf, signText } from '../support/hardening';

const SECRET = 'properties-secret-0123456789abcdefghijklmnop';
const NOW = Date.parse('2026-11-25T10:20:30.537Z');
const RUNS = { numRuns: 150 };

const USER_ID = /^[A-Za-z0-9@_\-.]{1,128}$/;
const RESERVED = ['user_id', 'iat', 'exp', 'nbf', 'iss', 'aud', 'sub', 'jti', 'server'];
const userIdArb = fc.stringMatching(/^[A-Za-z0-9@_\-.]{1,128}$/);
/** Anything that is not a valid user id: wrong characters, empty, too long, or not a string. */
const badUserIdArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 140 }).filter((s) => !USER_ID.test(s)),
  fc.stringMatching(/^[A-Za-z0-9]{129,200}$/),
  fc.constantFrom('', ' ', 'alice bob', 'al/ice', 'alice\n', '../admin', 'ali\u0000ce', '\u0430lice', 'a'.repeat(129)),
  fc.anything().filter((v) => typeof v !== 'string'),
);
const claimsArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !RESERVED.includes(k)),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 5 },
).filter((c) => !JSON.stringify(c).includes('"__proto__"')); // refused: see the bad claims below

let client: ServerClient;
beforeAll(() => {
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  client = new ServerClient({ apiKey: 'k', apiSecret: SECRET });
});
afterAll(() => jest.useRealTimers());

/** What survives JSON: the claims as a verifier will read them (-0 becomes 0, and so on). */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('valid input round-trips', () => {
  test('generateUserToken → verifyUserToken and jsonwebtoken give back the claims', async () => {
    await fc.assert(
      fc.asyncProperty(userIdArb, fc.integer({ min: 1, max: MAX_VALIDITY_SECONDS }), claimsArb, async (user_id, validity, claims) => {
        const token = client.generateUserToken({ user_id, validity_in_seconds: validity, claims });
        const expected = { ...(viaJson(claims) as object), user_id, iat: NOW / 1000, exp: Math.floor(NOW / 1000) + validity };
        expect(await verifyUserToken(token, { secret: SECRET, userId: user_id, now: NOW })).toEqual(expected);
        expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: NOW / 1000 })).toEqual(expected);
      }),
      RUNS,
    );
  });

  test('createToken(userId, exp, iat) → verified with the same exp and iat (numbers or Dates)', async () => {
    const nowS = Math.floor(NOW / 1000);
    await fc.assert(
      fc.asyncProperty(
        userIdArb,
        fc.integer({ min: nowS + 1, max: 99_999_999_999 }),
        fc.option(fc.integer({ min: 1_000_000_000, max: nowS }), { nil: undefined }),
        fc.boolean(),
        async (userId, exp, iat, asDates) => {
          const token = asDates
            ? client.createToken(userId, new Date(exp * 1000), iat === undefined ? undefined : new Date(iat * 1000))
            : client.createToken(userId, exp, iat);
          const claims = await verifyUserToken(token, { secret: SECRET, userId, now: NOW });
          expect(claims).toEqual({ user_id: userId, exp, iat: iat ?? NOW / 1000 });
        },
      ),
      RUNS,
    );
  });

  test('devToken → accepted with disable_auth_checks only, for its own user', async () => {
    await fc.assert(
      fc.asyncProperty(userIdArb, async (userId) => {
        const token = client.devToken(userId);
        expect(token.endsWith('.devtoken')).toBe(true);
        await expect(verifyUserToken(token, { secret: SECRET, userId, disableAuthChecks: true, now: NOW })).resolves.toEqual({ user_id: userId });
        await expect(outcomeOf(() => verifyUserToken(token, { secret: SECRET, userId, now: NOW }))).resolves.toBe(43);
      }),
      RUNS,
    );
  });
});

describe('invalid input is an ArgumentError, never anything else', () => {
  const expectArgumentError = (fn: () => unknown): void => {
    let thrown: unknown;
    try {
      fn();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ArgumentError);
  };

  test('a bad user id, for each of the three minters', () => {
    fc.assert(
      fc.property(badUserIdArb, (id) => {
        expectArgumentError(() => client.generateUserToken({ user_id: id as string }));
        expectArgumentError(() => client.createToken(id as string));
        expectArgumentError(() => client.devToken(id as string));
      }),
      RUNS,
    );
  });

  test('a bad validity or bad claims', () => {
    const badValidity = fc.oneof(
      fc.double().filter((v) => !(Number.isInteger(v) && v >= 1 && v <= MAX_VALIDITY_SECONDS)),
      fc.anything().filter((v) => typeof v !== 'number' && v !== undefined),
    );
    const badClaims = fc.oneof(
      fc.constantFrom(...RESERVED).map((k) => ({ [k]: 1 })),
      fc.constantFrom('{"__proto__":[]}', '{"a":{"__proto__":{"admin":true}}}', '{"a":[{"__proto__":1}]}').map((j) => JSON.parse(j) as unknown),
      fc.constantFrom<unknown>(() => 1, Symbol('s'), 10n, new Map(), Number.NaN, Number.POSITIVE_INFINITY, undefined).map((v) => ({ x: v })),
      fc.anything().filter((v) => v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))),
    );
    fc.assert(
      fc.property(userIdArb, badValidity, (id, v) => expectArgumentError(() => client.generateUserToken({ user_id: id, validity_in_seconds: v as number }))),
      RUNS,
    );
    fc.assert(
      fc.property(userIdArb, badClaims, (id, c) => expectArgumentError(() => client.generateUserToken({ user_id: id, claims: c as Record<string, unknown> }))),
      RUNS,
    );
  });

  test('createToken: exp or iat in milliseconds, a duration, in the past, not whole, or not a number', () => {
    const nowS = Math.floor(NOW / 1000);
    const badExp = fc.oneof(
      fc.integer({ min: 1e11 + 1, max: Number.MAX_SAFE_INTEGER }), // milliseconds
      fc.integer({ min: 1, max: 999_999_999 }), // a duration
      fc.integer({ min: 1_000_000_000, max: nowS }), // the past
      fc.double({ min: nowS + 1, max: 9e10, noNaN: true }).filter((v) => !Number.isInteger(v)),
      fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, '1900000000', new Date(Number.NaN), true, {}),
    );
    const badIat = fc.oneof(fc.integer({ min: 1e11 + 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -1e9, max: 999_999_999 }), fc.constantFrom<unknown>(Number.NaN, '1', new Date(Number.NaN)));
    fc.assert(fc.property(userIdArb, badExp, (id, exp) => expectArgumentError(() => client.createToken(id, exp as number))), RUNS);
    fc.assert(fc.property(userIdArb, badIat, (id, iat) => expectArgumentError(() => client.createToken(id, nowS + 60, iat as number))), RUNS);
  });

  test('verifyUserToken: a non-string token or bad options reject with an ArgumentError (never a TokenError)', async () => {
    const badOptions = fc.oneof(
      fc.record({ secret: fc.constant(SECRET), clockToleranceSeconds: fc.oneof(fc.double().filter((v) => !(v >= 0 && v <= 3600)), fc.string()) }),
      fc.record({ secret: fc.constant(SECRET), now: fc.oneof(fc.constantFrom<unknown>(Number.NaN, -1, new Date(Number.NaN), '2026-01-01'), fc.double({ max: -0.001 })) }),
      fc.record({ secret: fc.constant(SECRET), revokedBefore: fc.constantFrom<unknown>('yesterday', 0, { user: '2026' }, { app: new Date(Number.NaN) }, { other: null }) }),
      fc.record({ secret: fc.constant(SECRET), userId: fc.anything().filter((v) => v !== undefined && typeof v !== 'string') }),
      fc.record({ secret: fc.constant(SECRET), disableAuthChecks: fc.anything().filter((v) => v !== undefined && typeof v !== 'boolean') }),
      fc.record({ secret: fc.constantFrom<unknown>('', 42, null, {}, []) }),
      fc.record({ secret: fc.constant(SECRET), client: fc.constant(client) }),
      fc.constant({}),
      fc.string({ minLength: 1 }).filter((k) => !['secret', 'client', 'userId', 'revokedBefore', 'disableAuthChecks', 'clockToleranceSeconds', 'now'].includes(k)).map((k) => ({ secret: SECRET, [k]: 1 })),
      fc.anything().filter((v) => typeof v !== 'object' || v === null),
    );
    const token = client.generateUserToken({ user_id: 'alice' });
    await fc.assert(
      fc.asyncProperty(badOptions, async (options) => {
        await expect(verifyUserToken(token, options as { secret: string })).rejects.toBeInstanceOf(ArgumentError);
      }),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fc.anything().filter((v) => typeof v !== 'string'), async (t) => {
        await expect(verifyUserToken(t as string, { secret: SECRET })).rejects.toBeInstanceOf(ArgumentError);
        await expect(client.verifyUserToken(t as string)).rejects.toBeInstanceOf(ArgumentError);
      }),
      RUNS,
    );
  });
});

describe('any other token is a TokenError, never a crash', () => {
  test('random strings are refused with 43 (or 46 without a user_id), and never throw another error', async () => {
    const tokens = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join('.')),
      fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), { minLength: 1, maxLength: 5 }).map((p) => p.join('.')),
    );
    await fc.assert(
      fc.asyncProperty(tokens, async (t) => {
        const outcome = await outcomeOf(() => verifyUserToken(t, { secret: SECRET, now: NOW }));
        expect([43, 46]).toContain(outcome);
      }),
      { numRuns: 300 },
    );
  });

  test('every change to a valid token (a character replaced, added or removed) is refused with 43', async () => {
    const token = client.generateUserToken({ user_id: 'alice', claims: { team: 'red' } });
    const mutation = fc.record({
      at: fc.nat({ max: token.length }),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
      ch: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ at, kind, ch }) => {
        const mutated =
          kind === 'insert' ? token.slice(0, at) + ch + token.slice(at) : kind === 'delete' ? token.slice(0, at) + token.slice(at + 1) : token.slice(0, at) + ch + token.slice(at + 1);
        fc.pre(mutated !== token);
        await expect(outcomeOf(() => verifyUserToken(mutated, { secret: SECRET, userId: 'alice', now: NOW }))).resolves.toBe(43);
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifyUserToken and the emulator agree on every generated payload', () => {
  let emu: Emulator;
  beforeAll(async () => {
    jest.useRealTimers();
    emu = await startEmulator({ apiSecret: SECRET, clock: createManualClock(NOW) });
  });
  afterAll(async () => {
    await emu.close();
  });

  test('signed payloads of random claims and types get the same outcome from both', async () => {
    const nowS = NOW / 1000;
    const time = fc.oneof(
      fc.double({ min: nowS - 100_000, max: nowS + 100_000, noNaN: true }),
      fc.integer({ min: Math.floor(nowS) - 20, max: Math.floor(nowS) + 20 }),
      fc.constantFrom<unknown>('1900000000', null, -1, true, [], {}, 0),
    );
    const payload = fc.record(
      {
        user_id: fc.oneof(fc.constantFrom<unknown>('alice', 'alice', 'bob', '', 7, null), userIdArb),
        exp: time,
        iat: time,
        nbf: time,
        server: fc.constantFrom<unknown>(true, false, 'true'),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const token = signText(SECRET, JSON.stringify(HS), JSON.stringify(p));
        const local = await outcomeOf(() => verifyUserToken(token, { secret: SECRET, userId: 'alice', now: NOW }));
        const platform = await connectOutcome(emu, token, 'alice');
        expect(platform).toBe(local);
        expect(typeof local === 'number' || local === 'ok').toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

test('a TokenError is what a bad token gives; an ArgumentError is what a bad call gives', async () => {
  await expect(verifyUserToken('a.b.c', { secret: SECRET })).rejects.toBeInstanceOf(TokenError);
  await expect(verifyUserToken('a.b.c', { secret: '' })).rejects.toBeInstanceOf(ArgumentError);
});
