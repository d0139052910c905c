// SigningKey: the opaque prepared secret. It signs as its secret does, never shows the secret,
// and refuses what cannot be a secret with an ArgumentError naming the field.
import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ArgumentError, ConfigError, type SecretInput, ServerClient, SigningKey, TokenError, verifyUserToken } from 'tokenkit';

const SECRET = 'signing-key-secret-0123456789abcdef';
const NOW = 1_700_000_000_000;

function mintAt(apiSecret: SecretInput): string {
  jest.useFakeTimers({ now: NOW });
  try {
    return new ServerClient({ apiKey: 'k', apiSecret }).generateUserToken({ user_id: 'alice' });
  } finally {
    jest.useRealTimers();
  }
}

test('a SigningKey, its string, its bytes and its KeyObject sign the same token', () => {
  const fromString = mintAt(SECRET);
  expect(mintAt(SigningKey.from(SECRET))).toBe(fromString);
  expect(mintAt(new TextEncoder().encode(SECRET))).toBe(fromString);
  expect(mintAt(SigningKey.from(createSecretKey(Buffer.from(SECRET))))).toBe(fromString);
});

test('verifyUserToken takes a SigningKey, and refuses with 43 under another key', async () => {
  const token = mintAt(SECRET);
  await expect(verifyUserToken(token, { secret: SigningKey.from(SECRET), now: NOW })).resolves.toMatchObject({ user_id: 'alice' });
  const err = await verifyUserToken(token, { secret: SigningKey.from('another-secret'), now: NOW }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TokenError);
  expect(err).toMatchObject({ code: 43 });
});

test('the secret never shows: inspect, JSON, String, template literals, keys', () => {
  const key = SigningKey.from(SECRET);
  const shown = [inspect(key), inspect({ key }, { depth: 5, showHidden: true }), JSON.stringify({ key }), String(key), `${key}`, Object.keys(key).join()];
  for (const text of shown) expect(text).not.toContain(SECRET);
  expect(String(key)).toBe('SigningKey [secret redacted]');
  expect(JSON.parse(JSON.stringify({ key }))).toEqual({ key: 'SigningKey [secret redacted]' });
});

test('the bytes given are copied: changing them afterwards does not change the key', () => {
  const bytes = new TextEncoder().encode(SECRET);
  const key = SigningKey.from(bytes);
  bytes.fill(0);
  jest.useFakeTimers({ now: NOW });
  try {
    expect(new ServerClient({ apiKey: 'k', apiSecret: key }).generateUserToken({ user_id: 'alice' })).toBe(mintAt(SECRET));
  } finally {
    jest.useRealTimers();
  }
});

test.each([
  ['an empty string', ''],
  ['empty bytes', new Uint8Array(0)],
  ['a number', 42],
  ['a plain object', { secret: SECRET }],
  ['null', null],
])('SigningKey.from refuses %s with an ArgumentError naming the field', (_name, value) => {
  const err = (() => {
    try {
      SigningKey.from(value as never, 'secret');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(ArgumentError);
  expect((err as ArgumentError).issues[0]?.path).toBe('secret');
  expect((err as Error).message).toMatch(/^Invalid secret: expected/);
});

test('an asymmetric KeyObject is refused, naming its type, by SigningKey.from and by ServerClient', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  expect(() => SigningKey.from(privateKey)).toThrow(/expected a secret KeyObject, got a private key/);
  expect(() => new ServerClient({ apiKey: 'k', apiSecret: privateKey })).toThrow(ConfigError);
});

test('a KeyObject is prepared once: the same KeyObject gives the same SigningKey', () => {
  const object = createSecretKey(Buffer.from(SECRET));
  expect(SigningKey.from(object)).toBe(SigningKey.from(object));
  const key = SigningKey.from(SECRET);
  expect(SigningKey.from(key)).toBe(key);
});

test('string secrets: more secrets than the key cache holds, each still checks its own tokens only', async () => {
  const secrets = Array.from({ length: 20 }, (_, i) => `${SECRET}-${i}`);
  const tokens = secrets.map((s) => mintAt(s));
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < secrets.length; i++) {
      await expect(verifyUserToken(tokens[i]!, { secret: secrets[i]!, now: NOW })).resolves.toMatchObject({ user_id: 'alice' });
      const other = tokens[(i + 1) % tokens.length]!;
      await expect(verifyUserToken(other, { secret: secrets[i]!, now: NOW })).rejects.toMatchObject({ code: 43 });
    }
  }
});
