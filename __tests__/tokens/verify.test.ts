import { createHmac, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ArgumentError, ServerClient, TokenError, verifyUserToken, type TokenErrorCode } from 'tokenkit';

const SECRET = 'verify-secret-0123456789-abcdefghijkl';
const key = createSecretKey(Buffer.from(SECRET));
const NOW = Date.parse('2026-11-25T10:20:30.537Z');
const NOW_S = NOW / 1000;

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
/** Signs any header and payload by hand, so tests can build tokens no library would. */
function sign(header: unknown, payload: unknown, secret = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const HS = { alg: 'HS256', typ: 'JWT' };

async function codeOf(promise: Promise<unknown>): Promise<TokenErrorCode | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (err instanceof TokenError) return err.code;
    throw err;
  }
}

const verify = (token: string, extra: Record<string, unknown> = {}) =>
  verifyUserToken(token, { secret: key, now: NOW, ...extra });

describe('accepts', () => {
  test('a token minted by the client, and returns its claims', async () => {
    jest.useFakeTimers({ now: NOW });
    const client = new ServerClient({ apiKey: 'k', apiSecret: SECRET });
    const token = client.generateUserToken({ user_id: 'alice', claims: { team: 'red' } });
    jest.useRealTimers();
    await expect(verify(token, { userId: 'alice' })).resolves.toEqual({
      team: 'red',
      user_id: 'alice',
      iat: NOW_S,
      exp: Math.floor(NOW_S) + 3600,
    });
  });

  test('a token signed by jsonwebtoken with another header layout (the slow path)', async () => {
    const token = jwt.sign({ user_id: 'alice', iat: Math.floor(NOW_S) }, SECRET, { algorithm: 'HS256', header: { alg: 'HS256', kid: 'k1' } });
    await expect(verify(token)).resolves.toMatchObject({ user_id: 'alice' });
  });

  test('a string secret, a KeyObject, and a client give the same answer', async () => {
    const token = sign(HS, { user_id: 'alice', iat: NOW_S });
    const client = new ServerClient({ apiKey: 'k', apiSecret: SECRET });
    await expect(verifyUserToken(token, { secret: SECRET, now: NOW })).resolves.toMatchObject({ user_id: 'alice' });
    await expect(verifyUserToken(token, { client, now: NOW })).resolves.toMatchObject({ user_id: 'alice' });
    await expect(client.verifyUserToken(token, { now: new Date(NOW) })).resolves.toMatchObject({ user_id: 'alice' });
  });

  test('a token without exp (never expires) and an integer iat from another minter', async () => {
    await expect(verify(sign(HS, { user_id: 'alice', iat: 1_700_000_000 }))).resolves.toMatchObject({ user_id: 'alice' });
  });
});

describe('refuses, with the platform code', () => {
  const cases: Array<[string, () => string, Record<string, unknown>, TokenErrorCode]> = [
    ['43: alg none, unsigned', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ user_id: 'alice' })}.`, {}, 43],
    ['43: alg none with a signature', () => sign({ alg: 'none' }, { user_id: 'alice' }), {}, 43],
    ['43: HS512', () => jwt.sign({ user_id: 'alice' }, SECRET, { algorithm: 'HS512' }), {}, 43],
    ['43: RS256 header with the secret as an HMAC key (algorithm confusion)', () => sign({ alg: 'RS256', typ: 'JWT' }, { user_id: 'alice' }), {}, 43],
    ['43: signed with another secret', () => sign(HS, { user_id: 'alice' }, 'another-secret'), {}, 43],
    ['43: a valid signature over a changed payload', () => {
      const [h, , s] = sign(HS, { user_id: 'alice' }).split('.');
      return `${h}.${b64({ user_id: 'mallory' })}.${s}`;
    }, {}, 43],
    ['43: a signature with an extra character', () => `${sign(HS, { user_id: 'alice' })}A`, {}, 43],
    ['43: two parts', () => `${b64(HS)}.${b64({ user_id: 'alice' })}`, {}, 43],
    ['43: empty', () => '', {}, 43],
    ['43: huge', () => sign(HS, { user_id: 'alice', pad: 'x'.repeat(10_000) }), {}, 43],
    ['43: a payload that is not JSON', () => sign(HS, 'not json'), {}, 43],
    ['43: a payload that is an array', () => sign(HS, [1, 2]), {}, 43],
    ['43: a header that is not JSON', () => `${b64('{nope')}.${b64({ user_id: 'alice' })}.sig`, {}, 43],
    ['43: user_id a number', () => sign(HS, { user_id: 7 }), {}, 43],
    ['43: exp a string', () => sign(HS, { user_id: 'alice', exp: String(NOW_S + 60) }), {}, 43],
    ['43: iat negative', () => sign(HS, { user_id: 'alice', iat: -1 }), {}, 43],
    ['43: nbf null', () => sign(HS, { user_id: 'alice', nbf: null }), {}, 43],
    ['43: a server token used as a user token', () => sign(HS, { server: true, user_id: 'alice', iat: NOW_S }), {}, 43],
    ['43: a dev token while auth checks are on', () => `${b64(HS)}.${b64({ user_id: 'alice' })}.devtoken`, {}, 43],
    ['46: no user_id', () => sign(HS, { iat: NOW_S }), {}, 46],
    ['46: another user', () => sign(HS, { user_id: 'alice' }), { userId: 'bob' }, 46],
    ['40: exp passed', () => sign(HS, { user_id: 'alice', exp: Math.floor(NOW_S) - 1 }), {}, 40],
    ['40: exp is now (no tolerance on exp)', () => sign(HS, { user_id: 'alice', exp: NOW_S }), {}, 40],
    ['41: nbf beyond the tolerance', () => sign(HS, { user_id: 'alice', nbf: NOW_S + 5.001 }), {}, 41],
    ['42: iat beyond the tolerance', () => sign(HS, { user_id: 'alice', iat: NOW_S + 5.001 }), {}, 42],
    ['42: iat beyond a custom tolerance', () => sign(HS, { user_id: 'alice', iat: NOW_S + 2 }), { clockToleranceSeconds: 1 }, 42],
    ['44: app cutoff and no iat', () => sign(HS, { user_id: 'alice' }), { revokedBefore: { app: new Date(NOW - 60_000) } }, 44],
    ['44: user cutoff and no iat', () => sign(HS, { user_id: 'alice' }), { revokedBefore: { user: new Date(NOW - 60_000) } }, 44],
    ['44: iat before the user cutoff', () => sign(HS, { user_id: 'alice', iat: NOW_S - 1 }), { revokedBefore: { user: new Date(NOW) } }, 44],
    ['44: iat before the app cutoff', () => sign(HS, { user_id: 'alice', iat: NOW_S - 1 }), { revokedBefore: { user: null, app: new Date(NOW) } }, 44],
  ];
  test.each(cases)('%s', async (_label, token, extra, code) => {
    await expect(codeOf(verify(token(), extra))).resolves.toBe(code);
  });

  test('a TokenError has name, code and a message that does not hold the token', async () => {
    const token = sign(HS, { user_id: 'alice' }, 'wrong');
    const err = await verify(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(err).toMatchObject({ name: 'TokenError', code: 43 });
    expect((err as Error).message).not.toContain(token.split('.')[2]);
  });
});

describe('the order of the checks follows the contract', () => {
  test('another user (46) before expiry (40)', async () => {
    const token = sign(HS, { user_id: 'alice', exp: Math.floor(NOW_S) - 10 });
    await expect(codeOf(verify(token, { userId: 'bob' }))).resolves.toBe(46);
  });
  test('expiry (40) before revocation (44)', async () => {
    const token = sign(HS, { user_id: 'alice', exp: Math.floor(NOW_S) - 10, iat: NOW_S - 100 });
    await expect(codeOf(verify(token, { revokedBefore: { user: new Date(NOW) } }))).resolves.toBe(40);
  });
  test('signature (43) before everything', async () => {
    const token = sign(HS, { user_id: 'alice', exp: 1 }, 'wrong');
    await expect(codeOf(verify(token, { userId: 'bob' }))).resolves.toBe(43);
  });
});

describe('revocation to the millisecond', () => {
  const cutoff = new Date(NOW);
  test.each([
    ['1 ms before the cutoff: revoked', NOW - 1, 44],
    ['in the cutoff millisecond: revoked (the rule is inclusive)', NOW, 44],
    ['1 ms after the cutoff: accepted', NOW + 1, 'ok'],
  ] as const)('a token minted %s', async (_label, mintedAt, expected) => {
    jest.useFakeTimers({ now: mintedAt });
    const token = new ServerClient({ apiKey: 'k', apiSecret: SECRET }).generateUserToken({ user_id: 'alice' });
    jest.useRealTimers();
    await expect(codeOf(verify(token, { revokedBefore: { user: cutoff } }))).resolves.toBe(expected);
    await expect(codeOf(verify(token, { revokedBefore: { app: cutoff } }))).resolves.toBe(expected);
  });

  test('every millisecond of a second lands on the right side (floating point rounding of iat * 1000)', async () => {
    const client = new ServerClient({ apiKey: 'k', apiSecret: SECRET });
    const base = Date.parse('2026-11-25T10:20:30.000Z');
    for (let ms = 0; ms < 1000; ms++) {
      jest.useFakeTimers({ now: base + ms });
      const token = client.generateUserToken({ user_id: 'alice' });
      jest.useRealTimers();
      // Inclusive: a cutoff in the token's millisecond revokes it, one a millisecond earlier does not.
      const atCutoff = await codeOf(verify(token, { revokedBefore: { user: new Date(base + ms) } }));
      const afterCutoff = await codeOf(verify(token, { revokedBefore: { user: new Date(base + ms - 1) } }));
      if (atCutoff !== 44 || afterCutoff !== 'ok') throw new Error(`wrong side at ms ${ms}: ${atCutoff}, ${afterCutoff}`);
    }
  });

  test('a null cutoff restores every token', async () => {
    const token = sign(HS, { user_id: 'alice' });
    await expect(codeOf(verify(token, { revokedBefore: { user: null, app: null } }))).resolves.toBe('ok');
  });

  test('the clock tolerance: iat and nbf exactly at the limit pass', async () => {
    await expect(codeOf(verify(sign(HS, { user_id: 'alice', iat: NOW_S + 5, nbf: NOW_S + 5 })))).resolves.toBe('ok');
  });
});

describe('disableAuthChecks', () => {
  const dev = `${b64(HS)}.${b64({ user_id: 'alice' })}.devtoken`;
  test('accepts dev tokens, still checks the user', async () => {
    await expect(codeOf(verify(dev, { disableAuthChecks: true, userId: 'alice' }))).resolves.toBe('ok');
    await expect(codeOf(verify(dev, { disableAuthChecks: true, userId: 'bob' }))).resolves.toBe(46);
  });
  test('skips signatures but still checks exp and revocation', async () => {
    await expect(codeOf(verify(sign(HS, { user_id: 'alice' }, 'other'), { disableAuthChecks: true }))).resolves.toBe('ok');
    await expect(codeOf(verify(sign(HS, { user_id: 'alice', exp: 1 }, 'other'), { disableAuthChecks: true }))).resolves.toBe(40);
    await expect(
      codeOf(verify(sign(HS, { user_id: 'alice' }, 'other'), { disableAuthChecks: true, revokedBefore: { app: new Date(NOW) } })),
    ).resolves.toBe(44);
  });
  test('dev tokens are not subject to the JWT revocation rule', async () => {
    await expect(codeOf(verify(dev, { disableAuthChecks: true, revokedBefore: { user: new Date(NOW) } }))).resolves.toBe('ok');
  });
});

describe('bad arguments reject with an ArgumentError (never a synchronous throw)', () => {
  const token = sign(HS, { user_id: 'alice' });
  test.each([
    ['a number token', 42, { secret: SECRET }, 'token'],
    ['no secret nor client', token, {}, 'secret'],
    ['both secret and client', token, { secret: SECRET, client: new ServerClient({ apiKey: 'k', apiSecret: SECRET }) }, 'secret'],
    ['an empty secret', token, { secret: '' }, 'secret'],
    ['an unknown option', token, { secret: SECRET, algorithms: ['none'] }, 'algorithms'],
    ['a negative tolerance', token, { secret: SECRET, clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
    ['NaN tolerance', token, { secret: SECRET, clockToleranceSeconds: NaN }, 'clockToleranceSeconds'],
    ['an invalid Date cutoff', token, { secret: SECRET, revokedBefore: { user: new Date('x') } }, 'revokedBefore.user'],
    ['a string cutoff', token, { secret: SECRET, revokedBefore: { app: '2026-01-01' } }, 'revokedBefore.app'],
    ['an unknown cutoff', token, { secret: SECRET, revokedBefore: { team: null } }, 'revokedBefore.team'],
    ['an invalid now', token, { secret: SECRET, now: 'now' }, 'now'],
    ['a non-boolean disableAuthChecks', token, { secret: SECRET, disableAuthChecks: 'yes' }, 'disableAuthChecks'],
    ['a client that is not a client', token, { client: {} }, 'client'],
  ])('%s', async (_label, tok, options, path) => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = verifyUserToken(tok as string, options as never);
    }).not.toThrow();
    const err = await promise!.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).issues.map((i) => i.path)).toContain(path);
  });
});

test("the client's clock tolerance applies unless a call gives its own", async () => {
  const client = new ServerClient({ apiKey: 'k', apiSecret: SECRET, clockToleranceSeconds: 0 });
  const token = sign(HS, { user_id: 'alice', iat: NOW_S + 2 });
  await expect(codeOf(client.verifyUserToken(token, { now: NOW }))).resolves.toBe(42);
  await expect(codeOf(client.verifyUserToken(token, { now: NOW, clockToleranceSeconds: undefined }))).resolves.toBe(42);
  await expect(codeOf(client.verifyUserToken(token, { now: NOW, clockToleranceSeconds: 3 }))).resolves.toBe('ok');
});
