// The SDK's keyring: `apiSecret: [{ kid, secret }, ...]` signs with the first entry and
// stamps its kid; every entry verifies, by kid, or without one the first entry then the others;
// bad keyrings are refused naming the entry, never quoting a secret.
import { inspect } from 'node:util';
import { ConfigError, ServerClient, SigningKey, TokenError, verifyUserToken } from 'tokenkit';

const A = 'keyring-secret-a-0123456789';
const B = 'keyring-secret-b-0123456789';
const header = (token: string): unknown => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));

async function code(promise: Promise<unknown>): Promise<number | string> {
  return promise.then(
    () => 'ok',
    (err: unknown) => (err instanceof TokenError ? err.code : String(err)),
  );
}

test('the first entry signs and stamps its kid; a plain secret stamps none', () => {
  const ringed = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'new', secret: A }, { kid: 'old', secret: B }] });
  expect(header(ringed.generateUserToken({ user_id: 'alice' }))).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'new' });
  expect(header(ringed.createToken('alice'))).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'new' });
  expect(header(new ServerClient({ apiKey: 'k', apiSecret: A }).generateUserToken({ user_id: 'alice' }))).toEqual({ alg: 'HS256', typ: 'JWT' });
});

test('every entry verifies: by kid, or without kid the first entry then the others; an unknown kid is 43', async () => {
  const oldOnly = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'old', secret: B }] });
  const plainOld = new ServerClient({ apiKey: 'k', apiSecret: B });
  const plainOther = new ServerClient({ apiKey: 'k', apiSecret: 'another-secret-entirely' });
  const ringed = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'new', secret: A }, { kid: 'old', secret: SigningKey.from(B) }] });
  expect(await code(ringed.verifyUserToken(oldOnly.generateUserToken({ user_id: 'alice' })))).toBe('ok');
  expect(await code(ringed.verifyUserToken(plainOld.generateUserToken({ user_id: 'alice' })))).toBe('ok');
  expect(await code(ringed.verifyUserToken(plainOther.generateUserToken({ user_id: 'alice' })))).toBe(43);
  // A kid the keyring does not hold: 43, even where the signature would match one of its secrets.
  const stranger = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'elsewhere', secret: A }] }).generateUserToken({ user_id: 'alice' });
  await expect(ringed.verifyUserToken(stranger)).rejects.toMatchObject({ code: 43, message: expect.stringMatching(/the secret "elsewhere", which is not one of "new", "old"/) });
  // The kid picks the one secret: an "old" token signed with the new secret is refused.
  const lying = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'old', secret: A }] }).generateUserToken({ user_id: 'alice' });
  expect(await code(ringed.verifyUserToken(lying))).toBe(43);
  // A plain secret checks every token, whatever its kid (it cannot tell).
  expect(await code(verifyUserToken(stranger, { secret: A }))).toBe('ok');
});

test('verifyUserToken takes a keyring too, and notices when the array it was given changes', async () => {
  const keyring = [{ kid: 'new', secret: A }];
  const token = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'old', secret: B }] }).generateUserToken({ user_id: 'alice' });
  expect(await code(verifyUserToken(token, { secret: keyring }))).toBe(43);
  keyring.push({ kid: 'old', secret: B });
  expect(await code(verifyUserToken(token, { secret: keyring }))).toBe('ok');
  keyring[1] = { kid: 'old', secret: 'changed-secret-0123456789' };
  expect(await code(verifyUserToken(token, { secret: keyring }))).toBe(43);
});

test.each([
  ['an empty keyring', [], 'apiSecret', /expected 1 to 3 entries/],
  ['four entries', ['a', 'b', 'c', 'd'].map((kid) => ({ kid, secret: A })), 'apiSecret', /expected 1 to 3 entries/],
  ['a duplicate kid', [{ kid: 'a', secret: A }, { kid: 'a', secret: B }], 'apiSecret.1.kid', /duplicates the kid of entry 0/],
  ['a bad kid', [{ kid: 'has space', secret: A }], 'apiSecret.0.kid', /1 to 64 characters/],
  ['a missing secret', [{ kid: 'a' }], 'apiSecret.0.secret', /is missing/],
  ['an empty secret', [{ kid: 'a', secret: '' }], 'apiSecret.0.secret', /non-empty/],
  ['an unknown field', [{ kid: 'a', secret: A, primary: true }], 'apiSecret.0.primary', /unknown key/],
  ['an entry that is not an object', [A], 'apiSecret.0', /expected \{ kid, secret \}/],
])('a keyring with %s is a ConfigError naming %s, never quoting a secret', (_name, apiSecret, path, message) => {
  let err: unknown;
  try {
    new ServerClient({ apiKey: 'k', apiSecret: apiSecret as never });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).issues).toEqual([{ path, message: expect.stringMatching(message) }]);
  expect(`${(err as Error).message} ${inspect(err)}`).not.toContain(A);
});

test('a client with a keyring shows no secret', () => {
  const ringed = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'new', secret: A }, { kid: 'old', secret: B }] });
  for (const text of [inspect(ringed, { showHidden: true, depth: 8 }), JSON.stringify(ringed)]) {
    expect(text).not.toContain(A);
    expect(text).not.toContain(B);
  }
});
