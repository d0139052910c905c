// Property tests of the kid rule (docs/platform-api.md "App secrets and rotation"): for
// any app secrets (one primary, up to three, some retired) and any token (a kid naming one of them,
// an unknown or malformed kid, or none; signed with one of them or with another secret), a token
// verifies if and only if its kid, or without one the fallback order, names a secret that is not
// retired and the signature matches; a refusal is 44 where the token is a retired secret's, else
// 43. Checked on the emulator's own checks (user and server tokens, from its AppSecrets) and on
// the SDK's keyring (verifyUserToken with [{ kid, secret }, ...]), against a model written here.
import fc from 'fast-check';
import { verifyUserToken } from 'tokenkit';
import { checkClientToken, checkServerToken } from '../../src/emulator/auth';
import { AppSecrets, stored } from '../../src/emulator/secrets';
import { EmulatorState } from '../../src/emulator/state';
import { PlatformError } from '../../src/emulator/errors';
import { outcomeOf, signValues, type Outcome } from '../support/hardening';

const NOW = Date.parse('2026-11-29T12:00:00.000Z');
const RUNS = { numRuns: 200 };
type State = 'primary' | 'active' | 'retired';

interface Secret {
  kid: string;
  state: State;
  value: string;
}

const KIDS = ['initial', 'sec_0a1b2c3d4e5f', 'k.2', 'x-y_z'];
const VALUES = ['value-zero-0123456789', 'value-one-0123456789', 'value-two-0123456789', 'value-three-0123456789'];
const FOREIGN = 'a-secret-the-app-never-held';

/** 1 to 3 secrets, kids and values distinct, exactly one primary. */
const secretsArb: fc.Arbitrary<Secret[]> = fc
  .integer({ min: 1, max: 3 })
  .chain((n) =>
    fc.tuple(
      fc.shuffledSubarray(KIDS, { minLength: n, maxLength: n }),
      fc.shuffledSubarray(VALUES, { minLength: n, maxLength: n }),
      fc.integer({ min: 0, max: n - 1 }),
      fc.array(fc.constantFrom<State>('active', 'retired'), { minLength: n, maxLength: n }),
    ),
  )
  .map(([kids, values, primary, states]) => kids.map((kid, i) => ({ kid, value: values[i] as string, state: i === primary ? 'primary' : (states[i] as State) })));

/** The header's kid: one of the app's (by index), one it does not hold, a malformed one, or none. */
type KidChoice = { kind: 'none' } | { kind: 'held'; index: number } | { kind: 'unknown' } | { kind: 'malformed'; value: unknown };
const kidChoiceArb: fc.Arbitrary<KidChoice> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.nat(2).map((index) => ({ kind: 'held' as const, index })),
  fc.constant({ kind: 'unknown' as const }),
  fc.constantFrom<unknown>(42, '', 'has space', 'a/b', 'x'.repeat(65), null, ['initial']).map((value) => ({ kind: 'malformed' as const, value })),
);
/** Who signed: one of the app's secrets (by index) or a foreign one. */
const signerArb = fc.oneof(fc.nat(2), fc.constant(-1));

/** The model: what the rule says, written from the docs, not from the code. */
function expected(secrets: Secret[], kid: KidChoice, signer: string): Outcome {
  if (kid.kind === 'malformed' || kid.kind === 'unknown') return 43;
  if (kid.kind === 'held') {
    const named = secrets[kid.index % secrets.length] as Secret;
    if (named.state === 'retired') return 44;
    return named.value === signer ? 'ok' : 43;
  }
  const signedBy = secrets.find((s) => s.value === signer);
  if (!signedBy) return 43;
  return signedBy.state === 'retired' ? 44 : 'ok';
}

function headerOf(secrets: Secret[], kid: KidChoice, kidFirst: boolean): Record<string, unknown> {
  const value = kid.kind === 'held' ? (secrets[kid.index % secrets.length] as Secret).kid : kid.kind === 'unknown' ? 'sec_not_held' : kid.kind === 'malformed' ? kid.value : undefined;
  if (kid.kind === 'none') return { alg: 'HS256', typ: 'JWT' };
  // Both orders: tokenkit's own (alg, typ, kid), read without decoding again, and any other.
  return kidFirst ? { kid: value, alg: 'HS256' } : { alg: 'HS256', typ: 'JWT', kid: value };
}

function appState(secrets: Secret[]): EmulatorState {
  const state = new EmulatorState(10);
  state.secrets = new AppSecrets(secrets.map((s) => stored(s.kid, s.value, true, s.state, NOW)));
  return state;
}

function platformOutcome(run: () => unknown): Outcome {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (err instanceof PlatformError) return err.code;
    throw err;
  }
}

const nowS = NOW / 1000;

/** Every outcome the properties met: each must show up, or the generators test too little. */
const seenOutcomes = new Set<Outcome>();
afterAll(() => expect([...seenOutcomes].sort()).toEqual([43, 44, 'ok']));

test('the emulator: a user token verifies iff its kid (or the fallback order) names a secret not retired and the signature matches', () => {
  fc.assert(
    fc.property(secretsArb, kidChoiceArb, signerArb, fc.boolean(), (secrets, kid, signerIndex, kidFirst) => {
      const signer = signerIndex < 0 ? FOREIGN : (secrets[signerIndex % secrets.length] as Secret).value;
      const token = signValues(signer, headerOf(secrets, kid, kidFirst), { user_id: 'alice', iat: nowS, exp: nowS + 600 });
      const ctx = { apiKey: 'k', state: appState(secrets), nowMs: NOW, toleranceSeconds: 5 };
      const outcome = platformOutcome(() => checkClientToken(token, 'alice', ctx));
      seenOutcomes.add(outcome);
      expect(outcome).toBe(expected(secrets, kid, signer));
    }),
    RUNS,
  );
});

test('the emulator: server tokens follow the same rule', () => {
  fc.assert(
    fc.property(secretsArb, kidChoiceArb, signerArb, fc.boolean(), (secrets, kid, signerIndex, kidFirst) => {
      const signer = signerIndex < 0 ? FOREIGN : (secrets[signerIndex % secrets.length] as Secret).value;
      const token = signValues(signer, headerOf(secrets, kid, kidFirst), { server: true, iat: Math.floor(nowS), exp: Math.floor(nowS) + 300 });
      const ctx = { apiKey: 'k', state: appState(secrets), nowMs: NOW, toleranceSeconds: 5 };
      const outcome = platformOutcome(() => checkServerToken(token, ctx));
      seenOutcomes.add(outcome);
      expect(outcome).toBe(expected(secrets, kid, signer));
    }),
    RUNS,
  );
});

test('the SDK: verifyUserToken with a keyring (first entry primary, the others active) follows the same rule', async () => {
  await fc.assert(
    fc.asyncProperty(secretsArb, kidChoiceArb, signerArb, fc.boolean(), async (app, kid, signerIndex, kidFirst) => {
      // A local keyring has no states: its entries are the secrets not retired, the primary first.
      const keyring = [...app.filter((s) => s.state === 'primary'), ...app.filter((s) => s.state === 'active')];
      const local: Secret[] = keyring.map((s) => ({ ...s }));
      const signer = signerIndex < 0 ? FOREIGN : (app[signerIndex % app.length] as Secret).value;
      // A kid the keyring does not hold (a retired one included) is unknown to it: 43.
      const header = headerOf(app, kid, kidFirst);
      const heldLocally = kid.kind === 'held' && local.some((s) => s.kid === header['kid']);
      const localKid: KidChoice = kid.kind === 'held' ? (heldLocally ? { kind: 'held', index: local.findIndex((s) => s.kid === header['kid']) } : { kind: 'unknown' }) : kid;
      const token = signValues(signer, header, { user_id: 'alice', iat: nowS, exp: nowS + 600 });
      const outcome = await outcomeOf(() =>
        verifyUserToken(token, { secret: keyring.map((s) => ({ kid: s.kid, secret: s.value })), userId: 'alice', now: NOW }),
      );
      expect(outcome).toBe(expected(local, localKid, signer));
    }),
    RUNS,
  );
});
