// Every ServerClient method, fed invalid arguments by fast-check (bad input is refused before any network call): each call rejects (or,
// for the synchronous minters, throws) an ArgumentError, never another error, never synchronously
// for an async method, and never makes a network call (a recording `fetch` stays empty).
import fc from 'fast-check';
import { ArgumentError, ConfigError, ServerClient } from 'tokenkit';
import {
  badAppPatchArb,
  badDateArb,
  badIdListArb,
  badPartialArb,
  badRequestOptionsArb,
  badUpsertUsersArb,
  badUserIdArb,
  badWriteOptionsArb,
  notAnObjectArb,
  unknownKeyArb,
  unsendableArb,
  userIdArb,
} from '../support/arbitraries';
import { recordingFetch } from '../support/hardening';

const RUNS = { numRuns: Number(process.env.HARDENING_RUNS ?? 60) };
const recorder = recordingFetch();
const client = new ServerClient({ apiKey: 'k', apiSecret: 'properties-secret', baseUrl: 'http://127.0.0.1:1', fetch: recorder.fetch, maxRetries: 0 });

/** How an async call ended: a synchronous throw (a bug), a rejection, or a result. */
async function settle(run: () => Promise<unknown>): Promise<{ how: 'threw' | 'rejected' | 'resolved'; value: unknown }> {
  let promise: Promise<unknown>;
  try {
    promise = run();
  } catch (err) {
    return { how: 'threw', value: err };
  }
  try {
    return { how: 'resolved', value: await promise };
  } catch (err) {
    return { how: 'rejected', value: err };
  }
}

/** The property every invalid call must have. */
async function refusedLocally(run: () => Promise<unknown>): Promise<void> {
  const before = recorder.calls.length;
  const outcome = await settle(run);
  expect(outcome.how).toBe('rejected');
  if (!(outcome.value instanceof ArgumentError)) throw outcome.value; // shows the unexpected error itself
  expect(recorder.calls.length).toBe(before);
}

const later = () => new Date(Date.now() + 3_600_000);

/** A call with the value it was made with, so that fast-check's counterexample shows the value. */
interface Shown {
  value: unknown;
  run: () => Promise<unknown>;
  toString(): string;
}
function shown(value: unknown, run: () => Promise<unknown>): Shown {
  return { value, run, toString: () => fc.stringify(value) };
}
const methods: Array<[string, fc.Arbitrary<Shown>]> = [
  ['getApp', badRequestOptionsArb().map((o) => shown(o, () => client.getApp(o as never)))],
  ['updateApp (patch)', badAppPatchArb.map((p) => shown(p, () => client.updateApp(p as never)))],
  ['updateApp (options)', badWriteOptionsArb.map((o) => shown(o, () => client.updateApp({ disable_auth_checks: false }, o as never)))],
  ['upsertUsers (users)', badUpsertUsersArb.map((u) => shown(u, () => client.upsertUsers(u as never)))],
  ['upsertUsers (options)', badRequestOptionsArb().map((o) => shown(o, () => client.upsertUsers([{ id: 'alice' }], o as never)))],
  ['getUser (id)', badUserIdArb.map((id) => shown(id, () => client.getUser(id as string)))],
  ['getUser (options)', badRequestOptionsArb().map((o) => shown(o, () => client.getUser('alice', o as never)))],
  ['updateUsersPartial (input)', badPartialArb.map((p) => shown(p, () => client.updateUsersPartial(p as never)))],
  ['updateUsersPartial (options)', badWriteOptionsArb.map((o) => shown(o, () => client.updateUsersPartial({ users: [{ id: 'a', set: { x: 1 } }] }, o as never)))],
  ['revokeUserTokens (ids)', badIdListArb.map((ids) => shown(ids, () => client.revokeUserTokens(ids as string[])))],
  ['revokeUserTokens (before)', fc.oneof(badDateArb, fc.constant(null)).map((d) => shown(d, () => client.revokeUserTokens('alice', d as Date)))],
  ['revokeUserTokens (options)', badWriteOptionsArb.map((o) => shown(o, () => client.revokeUserTokens('alice', new Date(), o as never)))],
  ['revokeUserTokens (a key without before)', fc.stringMatching(/^[\x21-\x7e]{1,40}$/).map((k) => shown(k, () => client.revokeUserTokens('alice', undefined, { idempotencyKey: k })))],
  ['restoreUserTokens (ids)', badIdListArb.map((ids) => shown(ids, () => client.restoreUserTokens(ids as string[])))],
  ['restoreUserTokens (options)', badWriteOptionsArb.map((o) => shown(o, () => client.restoreUserTokens(['alice'], o as never)))],
  ['revokeAppTokens (before)', fc.oneof(badDateArb, fc.constantFrom(null, undefined)).map((d) => shown(d, () => client.revokeAppTokens(d as Date)))],
  ['revokeAppTokens (options)', badRequestOptionsArb().map((o) => shown(o, () => client.revokeAppTokens(new Date(), o as never)))],
  ['restoreAppTokens', badRequestOptionsArb().map((o) => shown(o, () => client.restoreAppTokens(o as never)))],
  ['rotateUserToken (id)', badUserIdArb.map((id) => shown(id, () => client.rotateUserToken(id as string)))],
  [
    'rotateUserToken (options)',
    fc
      .oneof(
        notAnObjectArb,
        fc.oneof(fc.double().filter((v) => !(Number.isInteger(v) && v >= 1 && v <= 315_360_000)), fc.string()).map((v) => ({ validity_in_seconds: v })),
        fc.constantFrom('user_id', 'iat', 'exp', 'server').map((k) => ({ claims: { [k]: 1 } })),
        fc.tuple(unknownKeyArb(['validity_in_seconds', 'claims', 'signal', 'timeoutMs']), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
        badRequestOptionsArb(['validity_in_seconds', 'claims', 'signal', 'timeoutMs']),
      )
      .map((o) => shown(o, () => client.rotateUserToken('alice', o as never))),
  ],
  ['issueToken (id)', badUserIdArb.map((id) => shown(id, () => client.issueToken(id as string)))],
  [
    'issueToken (options)',
    fc
      .oneof(
        fc.oneof(badDateArb, fc.date({ max: new Date(Date.now() - 1000) })).map((expiresAt) => ({ expiresAt })),
        fc.anything({ maxDepth: 0 }).filter((v) => v !== undefined && typeof v !== 'boolean').map((compatibilityMode) => ({ compatibilityMode })),
        badWriteOptionsArb,
      )
      .map((o) => shown(o, () => client.issueToken('alice', o as never))),
  ],
  ['revokeAllTokens (id)', badUserIdArb.map((id) => shown(id, () => client.revokeAllTokens(id as string)))],
  ['revokeAllTokens (options)', badWriteOptionsArb.map((o) => shown(o, () => client.revokeAllTokens('alice', o as never)))],
  ['verifyUserToken (options)', fc.oneof(notAnObjectArb, fc.constant({ secret: 'x' }), fc.constant({ now: 'now' }), fc.constant({ userId: 7 })).map((o) => shown(o, () => client.verifyUserToken('a.b.c', o as never)))],
  ['bulk.revokeUserTokens (source)', fc.oneof(fc.integer(), fc.constant(null), fc.constant({}), fc.string(), fc.boolean()).map((s) => shown(s, () => client.bulk.revokeUserTokens(s as never)))],
  [
    'bulk.revokeUserTokens (options)',
    fc
      .oneof(
        notAnObjectArb,
        fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65 }), fc.double({ min: 1.1, max: 63.9 })).map((concurrency) => ({ concurrency })),
        fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 })).map((batchSize) => ({ batchSize })),
        badDateArb.map((before) => ({ before })),
        fc.anything({ maxDepth: 0 }).filter((v) => v !== undefined && typeof v !== 'function').map((onItem) => ({ onItem })),
        fc.tuple(unknownKeyArb(['concurrency', 'signal', 'onProgress', 'onItem', 'collect', 'dedupe', 'timeoutMs', 'before', 'batchSize']), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
      )
      .map((o) => shown(o, () => client.bulk.revokeUserTokens(['alice'], o as never))),
  ],
  ['bulk.issueTokens (source)', fc.oneof(fc.integer(), fc.constant(null), fc.constant({}), fc.string()).map((s) => shown(s, () => client.bulk.issueTokens(s as never)))],
  [
    'bulk.issueTokens (options)',
    fc
      .oneof(fc.date({ max: new Date(Date.now() - 1000) }).map((expiresAt) => ({ expiresAt })), fc.constant({ compatibilityMode: 'yes' }), fc.constant({ dedupe: 1 }), fc.constant({ collect: 'no' }))
      .map((o) => shown(o, () => client.bulk.issueTokens(['alice'], o as never))),
  ],
];

test.each(methods)('%s: invalid arguments reject with an ArgumentError, before any network call', async (_name, arb) => {
  await fc.assert(fc.asyncProperty(arb, (call) => refusedLocally(call.run)), RUNS);
});

test('bulk runs over ids that are all invalid fail each id with an ArgumentError, and send nothing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(badUserIdArb.filter((v) => typeof v === 'string'), { minLength: 1, maxLength: 20 }), async (ids) => {
      const before = recorder.calls.length;
      const revoked = await client.bulk.revokeUserTokens(ids as string[], { before: later(), dedupe: false });
      const issued = await client.bulk.issueTokens(ids as string[], { dedupe: false });
      for (const r of [revoked, issued]) {
        expect(r.counts).toEqual({ done: 0, failed: ids.length, skipped: 0 });
        for (const f of r.failed) expect(f.error).toBeInstanceOf(ArgumentError);
      }
      expect(recorder.calls.length).toBe(before);
    }),
    { numRuns: 30 },
  );
});

test('the minters and tokenProvider throw an ArgumentError synchronously (they are synchronous)', () => {
  const before = recorder.calls.length;
  fc.assert(
    fc.property(badUserIdArb, fc.oneof(notAnObjectArb, fc.constant({}), fc.constant({ authenticate: 'me' }), fc.constant({ authenticate: () => 'a', validity_in_seconds: 0 })), (id, providerOptions) => {
      expect(() => client.generateUserToken({ user_id: id as string })).toThrow(ArgumentError);
      expect(() => client.createToken(id as string)).toThrow(ArgumentError);
      expect(() => client.devToken(id as string)).toThrow(ArgumentError);
      expect(() => client.tokenProvider(providerOptions as never)).toThrow(ArgumentError);
    }),
    RUNS,
  );
  expect(recorder.calls.length).toBe(before);
});

test('bad client options are a ConfigError (an ArgumentError) naming the option', () => {
  const known = ['apiKey', 'apiSecret', 'baseUrl', 'timeoutMs', 'maxRetries', 'maxRetryAfterSeconds', 'compatibilityMode', 'fetch', 'dispatcher', 'logger', 'clockToleranceSeconds', 'dangerouslyAllowBrowser'];
  const bad = fc.oneof(
    fc.tuple(unknownKeyArb(known), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
    fc.constantFrom<Record<string, unknown>>(
      { apiKey: '' },
      { apiSecret: '' },
      { apiSecret: 42 },
      { baseUrl: 'ftp://x' },
      { baseUrl: 'not a url' },
      { timeoutMs: 0 },
      { timeoutMs: 1.5 },
      { maxRetries: -1 },
      { maxRetries: 11 },
      { maxRetries: Number.NaN },
      { maxRetryAfterSeconds: -1 },
      { fetch: 'fetch' },
      { logger: {} },
      { clockToleranceSeconds: 3601 },
    ),
    unsendableArb.map((apiKey) => ({ apiKey })),
  );
  fc.assert(
    fc.property(bad, (options) => {
      expect(() => new ServerClient(Object.assign({ apiKey: 'k', apiSecret: 's' }, options) as never)).toThrow(ConfigError);
    }),
    RUNS,
  );
});
