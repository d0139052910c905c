// Every UserClient method, fed invalid arguments by fast-check (bad input is refused before any network call): an ArgumentError (a
// ConfigError for the options), never another error, never a synchronous throw from an async
// method, and never a network call (a recording `fetch` stays empty). A token that fetch could
// not send (a control or non-ASCII character inside) is refused the same way, unquoted.
import fc from 'fast-check';
import { ArgumentError, ConfigError, UserClient } from 'tokenkit/client';
import { SENDABLE, badUserIdArb, notAnObjectArb, unknownKeyArb, unsendableArb, userIdArb } from '../support/arbitraries';
import { recordingFetch } from '../support/hardening';
import { thrownBy } from '../support/errors';

const RUNS = { numRuns: Number(process.env.HARDENING_RUNS ?? 80) };
const recorder = recordingFetch();
const options = { apiKey: 'k', baseUrl: 'http://127.0.0.1:1', fetch: recorder.fetch };

async function refusedLocally(run: () => Promise<unknown>): Promise<void> {
  const before = recorder.calls.length;
  let promise: Promise<unknown>;
  try {
    promise = run();
  } catch (err) {
    throw new Error(`threw synchronously: ${String(err)}`);
  }
  const err = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  if (!(err instanceof ArgumentError)) throw err;
  expect(recorder.calls.length).toBe(before);
}

/** A token string: anything a caller might pass that is not a sendable token. */
const badTokenArb: fc.Arbitrary<unknown> = fc.oneof(
  unsendableArb,
  fc.constant(''),
  fc.anything({ maxDepth: 0 }).filter((v) => v !== null && typeof v !== 'string' && typeof v !== 'function'),
);

test('connectUser: a bad user or a bad token is an ArgumentError, nothing sent, and the token is never quoted', async () => {
  const chat = new UserClient(options);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.tuple(fc.oneof(notAnObjectArb, badUserIdArb.map((id) => ({ id }))), fc.constant('eyJ.a.b' as unknown)),
        fc.tuple(userIdArb.map((id) => ({ id })), badTokenArb),
      ),
      async ([user, token]) => {
        await refusedLocally(() => chat.connectUser(user as { id: string }, token as string));
        const err = await chat.connectUser(user as { id: string }, token as string).catch((e: unknown) => e);
        if (typeof token === 'string' && token.trim().length > 3) expect(String((err as Error).message)).not.toContain(token.trim());
      },
    ),
    RUNS,
  );
});

test('a token provider that resolves with something unsendable fails the connect with an ArgumentError before anything is sent', async () => {
  await fc.assert(
    fc.asyncProperty(userIdArb, fc.oneof(unsendableArb, fc.constant(''), fc.constantFrom<unknown>(42, null, undefined, {})), async (id, token) => {
      const chat = new UserClient(options);
      await refusedLocally(() => chat.connectUser({ id }, async () => token as string));
    }),
    { numRuns: 40 },
  );
});

test('a sendable token (with a trailing line break, as read from a response body) is sent', async () => {
  const chat = new UserClient(options);
  await fc.assert(
    fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_.-]{10,40}$/), fc.constantFrom('', '\n', '\r\n', ' '), async (token, end) => {
      expect(SENDABLE.test(token + end)).toBe(true);
      const before = recorder.calls.length;
      await chat.connectUser({ id: 'alice' }, token + end).catch(() => undefined); // the recording fetch answers 500
      expect(recorder.calls.length).toBe(before + 1);
    }),
    { numRuns: 20 },
  );
});

test('setGuestUser, getUser and updateMe: invalid arguments are an ArgumentError, nothing sent', async () => {
  const chat = new UserClient(options);
  const badGuest = fc.oneof(
    notAnObjectArb,
    badUserIdArb.map((id) => ({ id })),
    fc.tuple(userIdArb, fc.oneof(fc.integer(), fc.string({ minLength: 1025, maxLength: 1030 }))).map(([id, name]) => ({ id, name })),
    fc.tuple(userIdArb, unknownKeyArb(['id', 'name'])).map(([id, k]) => ({ id, [k]: 1 })),
  );
  const badMe = fc.oneof(
    notAnObjectArb,
    fc.constant({}),
    fc.constantFrom('id', 'role', 'created_at', 'updated_at', 'requires_token', 'revoke_tokens_issued_before').map((f) => ({ set: { [f]: 'x' } })),
    fc.constantFrom('id', 'role', 'requires_token').map((f) => ({ unset: [f] })),
    fc.constantFrom<unknown>(10n, Number.NaN, () => 1, new Date(0)).map((v) => ({ set: { custom: v } })),
    fc.tuple(unknownKeyArb(['set', 'unset']), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
  );
  await fc.assert(fc.asyncProperty(badGuest, (u) => refusedLocally(() => chat.setGuestUser(u as { id: string }))), RUNS);
  await fc.assert(fc.asyncProperty(badUserIdArb, (id) => refusedLocally(() => chat.getUser(id as string))), RUNS);
  await fc.assert(fc.asyncProperty(badMe, (m) => refusedLocally(() => chat.updateMe(m as never))), RUNS);
});

test('bad options are a ConfigError (an ArgumentError) that never quotes the key', () => {
  const bad = fc.oneof(
    unsendableArb.map((apiKey) => ({ ...options, apiKey })),
    fc.constantFrom<Record<string, unknown>>({ apiKey: 'k' }, { baseUrl: 'http://x' }, { ...options, baseUrl: 'ftp://x' }, { ...options, timeoutMs: 0 }, { ...options, fetch: 1 }, { ...options, refreshAheadSeconds: -1 }),
    fc.tuple(unknownKeyArb(['apiKey', 'baseUrl', 'fetch', 'timeoutMs', 'refreshAheadSeconds']), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ ...options, [k]: v })),
    notAnObjectArb,
  );
  fc.assert(
    fc.property(bad, (o) => {
      const err = thrownBy(() => new UserClient(o as never));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toBeInstanceOf(ArgumentError);
      const key = (o as { apiKey?: unknown } | null)?.apiKey;
      if (typeof key === 'string' && key.trim().length > 2) expect((err as Error).message).not.toContain(key);
    }),
    RUNS,
  );
});
