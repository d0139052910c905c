import { createSecretKey } from 'node:crypto';
import * as jose from 'jose';
import jwt from 'jsonwebtoken';
import { ArgumentError, ServerClient, DEFAULT_VALIDITY_SECONDS } from 'tokenkit';
import { argumentErrorOf } from '../support/errors';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
const joseKey = new TextEncoder().encode(SECRET);
const FROZEN = new Date('2026-11-25T10:20:30.537Z');

function client(): ServerClient {
  return new ServerClient({ apiKey: 'key', apiSecret: SECRET });
}

beforeEach(() => {
  jest.useFakeTimers({ now: FROZEN, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => jest.useRealTimers());

describe('generateUserToken', () => {
  test('round-trips through jose (an independent verifier) under a frozen clock', async () => {
    const token = client().generateUserToken({ user_id: 'alice', validity_in_seconds: 600 });
    const { payload, protectedHeader } = await jose.jwtVerify(token, joseKey, {
      algorithms: ['HS256'],
      currentDate: FROZEN,
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ user_id: 'alice', iat: 1795602030.537, exp: 1795602030 + 600 });
  });

  test('also verifies with jsonwebtoken', () => {
    const token = client().generateUserToken({ user_id: 'bob' });
    const payload = jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: FROZEN.getTime() / 1000 });
    expect(payload).toMatchObject({ user_id: 'bob' });
  });

  test('stamps iat with millisecond precision, not floored', () => {
    const payload = jose.decodeJwt(client().generateUserToken({ user_id: 'alice' }));
    expect(payload.iat).toBe(FROZEN.getTime() / 1000);
    expect(Number.isInteger(payload.iat)).toBe(false);
  });

  test('exp defaults to one hour after iat, in whole seconds', () => {
    const payload = jose.decodeJwt(client().generateUserToken({ user_id: 'alice' }));
    expect(payload.exp).toBe(Math.floor(FROZEN.getTime() / 1000) + DEFAULT_VALIDITY_SECONDS);
    expect(Number.isInteger(payload.exp)).toBe(true);
  });

  test('extra claims go in; option names never leak into the token; the input is not mutated', () => {
    const input = Object.freeze({
      user_id: 'alice',
      validity_in_seconds: 60,
      claims: Object.freeze({ team: 'red', level: 3 }),
    });
    const payload = jose.decodeJwt(client().generateUserToken(input));
    expect(payload).toEqual({ team: 'red', level: 3, user_id: 'alice', iat: FROZEN.getTime() / 1000, exp: Math.floor(FROZEN.getTime() / 1000) + 60 });
    expect(payload).not.toHaveProperty('validity_in_seconds');
    expect(payload).not.toHaveProperty('claims');
    expect(input).toEqual({ user_id: 'alice', validity_in_seconds: 60, claims: { team: 'red', level: 3 } });
  });

  test.each(['user_id', 'iat', 'exp', 'nbf', 'iss', 'aud', 'sub', 'jti', 'server'])('refuses the reserved claim %s', (name) => {
    expect(() => client().generateUserToken({ user_id: 'alice', claims: { [name]: 'x' } })).toThrow(
      expect.objectContaining({ name: 'ArgumentError', code: 'ERR_ARGUMENT', issues: [expect.objectContaining({ path: `claims.${name}` })] }),
    );
  });

  const bad: Array<[string, unknown, string]> = [
    ['no input', undefined, ''],
    ['null input', null, ''],
    ['a string', 'alice', ''],
    ['missing user_id', {}, 'user_id'],
    ['empty user_id', { user_id: '' }, 'user_id'],
    ['too long user_id', { user_id: 'a'.repeat(129) }, 'user_id'],
    ['bad characters', { user_id: 'al ice' }, 'user_id'],
    ['a slash', { user_id: 'a/b' }, 'user_id'],
    ['unicode', { user_id: 'élise' }, 'user_id'],
    ['number user_id', { user_id: 42 }, 'user_id'],
    ['null user_id', { user_id: null }, 'user_id'],
    ['NaN validity', { user_id: 'a', validity_in_seconds: NaN }, 'validity_in_seconds'],
    ['negative validity', { user_id: 'a', validity_in_seconds: -1 }, 'validity_in_seconds'],
    ['zero validity', { user_id: 'a', validity_in_seconds: 0 }, 'validity_in_seconds'],
    ['float validity', { user_id: 'a', validity_in_seconds: 1.5 }, 'validity_in_seconds'],
    ['string validity', { user_id: 'a', validity_in_seconds: '3600' }, 'validity_in_seconds'],
    ['Infinity validity', { user_id: 'a', validity_in_seconds: Infinity }, 'validity_in_seconds'],
    ['validity over ten years', { user_id: 'a', validity_in_seconds: 400_000_000 }, 'validity_in_seconds'],
    ['null validity', { user_id: 'a', validity_in_seconds: null }, 'validity_in_seconds'],
    ['claims not an object', { user_id: 'a', claims: 'x' }, 'claims'],
    ['claims with a function', { user_id: 'a', claims: { f: () => 1 } }, 'claims.f'],
    ['an unknown option', { user_id: 'a', expiresIn: 60 }, 'expiresIn'],
  ];
  test.each(bad)('refuses %s with an ArgumentError naming the field', (_label, input, path) => {
    const err = argumentErrorOf(() => client().generateUserToken(input as never), path);
    expect(err.message).toMatch(/^Invalid generateUserToken input/);
  });

  test('a misspelt option is named in the message, with the valid shape', () => {
    expect(() => client().generateUserToken({ user_id: 'a', validity: 60 } as never)).toThrow(
      'unknown key "validity": expected { user_id, validity_in_seconds?, claims? }',
    );
    expect(() => client().generateUserToken('alice' as never)).toThrow('expected { user_id, validity_in_seconds?, claims? }');
  });
});

describe('createToken (legacy signature)', () => {
  const nowS = Math.floor(FROZEN.getTime() / 1000);

  test('without exp the token never expires, but iat is stamped', () => {
    const payload = jose.decodeJwt(client().createToken('alice'));
    expect(payload).toEqual({ user_id: 'alice', iat: FROZEN.getTime() / 1000 });
  });

  test('exp in epoch seconds, or a Date', async () => {
    const a = jose.decodeJwt(client().createToken('alice', nowS + 3600));
    expect(a.exp).toBe(nowS + 3600);
    const b = jose.decodeJwt(client().createToken('alice', new Date(FROZEN.getTime() + 7200_000)));
    expect(b.exp).toBe(nowS + 7200);
    await expect(jose.jwtVerify(client().createToken('alice', nowS + 10), joseKey, { currentDate: FROZEN })).resolves.toBeTruthy();
  });

  test('a given iat is used as-is', () => {
    expect(jose.decodeJwt(client().createToken('alice', null, nowS - 10)).iat).toBe(nowS - 10);
    expect(jose.decodeJwt(client().createToken('alice', undefined, new Date('2026-01-01T00:00:00.250Z'))).iat).toBe(1767225600.25);
  });

  test.each([
    ['a duration', 3600, /looks like a duration.*Math\.floor\(Date\.now\(\) \/ 1000\) \+ 3600/],
    ['milliseconds', FROZEN.getTime() + 60_000, /looks like milliseconds/],
    ['the past', nowS - 1, /is in the past/],
    ['now', nowS, /is in the past/],
    ['NaN', NaN, /finite number/],
    ['a string', '1800000000', /finite number/],
    ['a float', nowS + 10.5, /whole number/],
    ['an invalid Date', new Date('nope'), /invalid Date/],
  ])('refuses an exp that is %s, explaining the mistake', (_label, exp, message) => {
    expect(() => client().createToken('alice', exp as never)).toThrow(message);
    expect(() => client().createToken('alice', exp as never)).toThrow(ArgumentError);
  });

  test.each([
    ['milliseconds', FROZEN.getTime()],
    ['a small number', 5],
    ['NaN', NaN],
  ])('refuses an iat that is %s', (_label, iat) => {
    expect(() => client().createToken('alice', undefined, iat)).toThrow(ArgumentError);
  });

  test.each([[''], ['a b'], [undefined], [null], [7], ['x'.repeat(129)]])('refuses the user id %p', (id) => {
    expect(() => client().createToken(id as never)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT', issues: [expect.objectContaining({ path: 'userId' })] }));
  });
});

describe('devToken', () => {
  test('is <header>.<payload>.devtoken with the user id', () => {
    const token = client().devToken('alice');
    const [header, payload, sig] = token.split('.');
    expect(sig).toBe('devtoken');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual({ user_id: 'alice' });
  });

  test.each([[''], ['bad id'], [undefined], [12]])('refuses the user id %p', (id) => {
    expect(() => client().devToken(id as never)).toThrow(ArgumentError);
  });
});

test('a KeyObject secret signs the same tokens as its string', () => {
  const a = new ServerClient({ apiKey: 'k', apiSecret: SECRET }).generateUserToken({ user_id: 'alice' });
  const b = new ServerClient({ apiKey: 'k', apiSecret: createSecretKey(Buffer.from(SECRET)) }).generateUserToken({ user_id: 'alice' });
  expect(a).toBe(b);
});

test.each(['{"__proto__":{"admin":true}}', '{"team":{"__proto__":[]}}', '{"list":[{"__proto__":1}]}'])(
  'refuses a claim named __proto__ anywhere (%s): it cannot round-trip',
  (json) => {
    const claims = JSON.parse(json) as Record<string, unknown>;
    expect(() => new ServerClient({ apiKey: 'k', apiSecret: SECRET }).generateUserToken({ user_id: 'alice', claims })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT', issues: [expect.objectContaining({ path: expect.stringMatching(/^claims\..*__proto__$|^claims\.__proto__$/) })] }),
    );
  },
);
