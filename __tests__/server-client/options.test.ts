import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ArgumentError, ConfigError, ServerClient, TokenkitError, verifyUserToken } from 'tokenkit';

const SECRET = 'options-secret-do-not-leak-0123456789';
const ENV_KEYS = ['TOKENKIT_API_KEY', 'TOKENKIT_API_SECRET', 'TOKENKIT_API_SECRETS', 'TOKENKIT_BASE_URL'] as const;
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  for (const k of ENV_KEYS) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err).toBeInstanceOf(TokenkitError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

test('falls back to TOKENKIT_API_KEY, TOKENKIT_API_SECRET and TOKENKIT_BASE_URL', () => {
  process.env['TOKENKIT_API_KEY'] = 'env-key';
  process.env['TOKENKIT_API_SECRET'] = SECRET;
  process.env['TOKENKIT_BASE_URL'] = 'http://127.0.0.1:8787/';
  const client = new ServerClient();
  expect(client.apiKey).toBe('env-key');
  expect(client.baseUrl).toBe('http://127.0.0.1:8787');
  expect(client.generateUserToken({ user_id: 'alice' })).toMatch(/^ey/);
});

test('options win over the environment', () => {
  process.env['TOKENKIT_API_KEY'] = 'env-key';
  expect(new ServerClient({ apiKey: 'opt-key', apiSecret: SECRET }).apiKey).toBe('opt-key');
});

test('a missing key and secret names every way to supply each', () => {
  const err = configError(() => new ServerClient());
  expect(err.code).toBe('ERR_CONFIG');
  expect(err.message).toContain('pass { apiKey } or set TOKENKIT_API_KEY');
  expect(err.message).toContain('pass { apiSecret } or set TOKENKIT_API_SECRET');
  expect(err.issues.map((i) => i.path)).toEqual(['apiKey', 'apiSecret']);
});

test('an unknown option is refused, and the message lists the valid ones', () => {
  const err = configError(() => new ServerClient({ apiKey: 'k', apiSecret: SECRET, secret: SECRET } as never));
  expect(err.message).toMatch(/Unrecognized key.*"secret"/);
  expect(err.message).toMatch(/Valid options: apiKey, apiSecret, baseUrl, timeoutMs, maxRetries/);
});

test.each([
  ['timeoutMs', 'soon'],
  ['timeoutMs', -5],
  ['timeoutMs', 1.5],
  ['maxRetries', 11],
  ['maxRetries', NaN],
  ['baseUrl', 'not a url'],
  ['baseUrl', 'ftp://127.0.0.1'],
  ['compatibilityMode', 'yes'],
  ['fetch', 'fetch'],
  ['logger', {}],
  ['apiKey', ''],
  ['apiSecret', 42],
  ['apiSecret', ''],
  ['clockToleranceSeconds', -1],
])('refuses %s = %p, never replacing it by a default', (field, value) => {
  const err = configError(() => new ServerClient({ apiKey: 'k', apiSecret: SECRET, [field]: value } as never));
  expect(err.issues.map((i) => i.path)).toContain(field);
});

test('refuses an asymmetric KeyObject as the secret', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const err = configError(() => new ServerClient({ apiKey: 'k', apiSecret: privateKey }));
  expect(err.message).toMatch(/secret KeyObject/);
});

test('an invalid TOKENKIT_BASE_URL is refused by name', () => {
  process.env['TOKENKIT_BASE_URL'] = 'nope';
  const err = configError(() => new ServerClient({ apiKey: 'k', apiSecret: SECRET }));
  expect(err.message).toContain('TOKENKIT_BASE_URL');
});

describe('a keyring from TOKENKIT_API_SECRETS', () => {
  const OTHER = 'options-other-secret-do-not-leak-9876543210';
  const kidOf = (token: string): unknown => (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown }).kid;

  test('the first entry signs (its kid in the header), every entry verifies', async () => {
    process.env['TOKENKIT_API_KEY'] = 'env-key';
    process.env['TOKENKIT_API_SECRETS'] = JSON.stringify([{ kid: 'next', secret: OTHER }, { kid: 'initial', secret: SECRET }]);
    const client = new ServerClient();
    const token = client.generateUserToken({ user_id: 'alice' });
    expect(kidOf(token)).toBe('next');
    await expect(verifyUserToken(token, { secret: [{ kid: 'next', secret: OTHER }] })).resolves.toMatchObject({ user_id: 'alice' });
    const byOld = new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'initial', secret: SECRET }] }).generateUserToken({ user_id: 'bob' });
    await expect(client.verifyUserToken(byOld)).resolves.toMatchObject({ user_id: 'bob' });
  });

  test('an apiSecret option wins over both variables (and is not checked against them)', () => {
    process.env['TOKENKIT_API_SECRET'] = SECRET;
    process.env['TOKENKIT_API_SECRETS'] = 'not json';
    expect(kidOf(new ServerClient({ apiKey: 'k', apiSecret: [{ kid: 'opt', secret: OTHER }] }).generateUserToken({ user_id: 'a' }))).toBe('opt');
  });

  test('both variables set is refused, naming both', () => {
    process.env['TOKENKIT_API_SECRET'] = SECRET;
    process.env['TOKENKIT_API_SECRETS'] = JSON.stringify([{ kid: 'initial', secret: SECRET }]);
    const err = configError(() => new ServerClient({ apiKey: 'k' }));
    expect(err.message).toBe('ServerClient: set TOKENKIT_API_SECRET (one secret) or TOKENKIT_API_SECRETS (a keyring), not both');
    expect(err.issues).toEqual([{ path: 'apiSecret', message: expect.stringContaining('not both') }]);
  });

  test.each([
    ['the secret alone', SECRET, 'TOKENKIT_API_SECRETS', /^not valid JSON; expected a keyring as JSON, \[\{"kid":"\.\.\.","secret":"\.\.\."\}, \.\.\.\]$/, 'apiSecret'],
    ['cut-off JSON', `[{"kid":"a","secret":"${SECRET}"`, 'TOKENKIT_API_SECRETS', /^not valid JSON/, 'apiSecret'],
    ['an object', JSON.stringify({ kid: 'a', secret: SECRET }), 'TOKENKIT_API_SECRETS', /got a JSON object$/, 'apiSecret'],
    ['a string', JSON.stringify(SECRET), 'TOKENKIT_API_SECRETS', /got a string$/, 'apiSecret'],
    ['null', 'null', 'TOKENKIT_API_SECRETS', /got null$/, 'apiSecret'],
    ['no entries', '[]', 'TOKENKIT_API_SECRETS', /^expected 1 to 3 entries \(an app holds at most 3 secrets\), got 0$/, 'apiSecret'],
    ['four entries', JSON.stringify(['a', 'b', 'c', 'd'].map((kid) => ({ kid, secret: SECRET }))), 'TOKENKIT_API_SECRETS', /got 4$/, 'apiSecret'],
    ['an entry that is a string', JSON.stringify([{ kid: 'a', secret: OTHER }, SECRET]), 'TOKENKIT_API_SECRETS[1]', /^expected \{ kid, secret \}$/, 'apiSecret.1'],
    ['a bad kid', JSON.stringify([{ kid: 'a', secret: OTHER }, { kid: 'no spaces', secret: SECRET }]), 'TOKENKIT_API_SECRETS[1].kid', /^expected 1 to 64 characters from A-Z a-z 0-9 \. _ -$/, 'apiSecret.1.kid'],
    ['no kid', JSON.stringify([{ secret: SECRET }]), 'TOKENKIT_API_SECRETS[0].kid', /^expected 1 to 64 characters/, 'apiSecret.0.kid'],
    ['a duplicate kid', JSON.stringify([{ kid: 'a', secret: OTHER }, { kid: 'a', secret: SECRET }]), 'TOKENKIT_API_SECRETS[1].kid', /^duplicates the kid of entry 0$/, 'apiSecret.1.kid'],
    ['no secret', JSON.stringify([{ kid: 'a', secret: OTHER }, { kid: 'b' }]), 'TOKENKIT_API_SECRETS[1].secret', /^is missing$/, 'apiSecret.1.secret'],
    ['an empty secret', JSON.stringify([{ kid: 'a', secret: '' }]), 'TOKENKIT_API_SECRETS[0].secret', /^expected a non-empty string$/, 'apiSecret.0.secret'],
    ['a number as the secret', JSON.stringify([{ kid: 'a', secret: 42 }]), 'TOKENKIT_API_SECRETS[0].secret', /^expected a non-empty string$/, 'apiSecret.0.secret'],
    ['an unknown field', JSON.stringify([{ kid: 'a', secret: OTHER, note: SECRET }]), 'TOKENKIT_API_SECRETS[0].note', /^unknown key \(expected kid and secret\)$/, 'apiSecret.0.note'],
  ])('%s is refused, naming the variable and the entry, never a value', (_, value, named, expected, path) => {
    process.env['TOKENKIT_API_SECRETS'] = value;
    const err = configError(() => new ServerClient({ apiKey: 'k' }));
    const prefix = `ServerClient: invalid ${named}: `;
    expect(err.message.startsWith(prefix)).toBe(true);
    expect(err.message.slice(prefix.length)).toMatch(expected);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.path).toBe(path);
    const shown = `${err.message}\n${JSON.stringify(err.issues)}\n${inspect(err)}`;
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(OTHER);
  });

  test('a missing secret names both variables', () => {
    const err = configError(() => new ServerClient({ apiKey: 'k' }));
    expect(err.message).toContain('pass { apiSecret } or set TOKENKIT_API_SECRET (or TOKENKIT_API_SECRETS, a keyring)');
  });
});

describe('the env option (a Worker\'s bindings, a Hono context\'s env)', () => {
  const OTHER = 'options-env-other-secret-do-not-leak-2468';
  const kidOf = (token: string): unknown => (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown }).kid;

  test('reads the key, the keyring and the URL from the object given, and only its string values', async () => {
    const kv = { get: () => null }; // a binding that is not a string, as a Worker's KV namespace
    const client = new ServerClient({
      env: { TOKENKIT_API_KEY: 'bound-key', TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'k2', secret: OTHER }, { kid: 'k1', secret: SECRET }]), TOKENKIT_BASE_URL: 'http://127.0.0.1:9/', SESSIONS: kv },
    });
    const token = client.generateUserToken({ user_id: 'alice' });
    expect(kidOf(token)).toBe('k2');
    await expect(verifyUserToken(token, { secret: OTHER })).resolves.toMatchObject({ user_id: 'alice' });
    expect(inspect(client)).not.toContain(OTHER);
  });

  test('the process environment is not read once env is given', () => {
    process.env['TOKENKIT_API_KEY'] = 'process-key';
    process.env['TOKENKIT_API_SECRET'] = SECRET;
    const err = configError(() => new ServerClient({ env: {} }));
    expect(err.issues.map((i) => i.path)).toEqual(['apiKey', 'apiSecret']);
  });

  test('options given win over env; a non-string TOKENKIT_API_SECRET is ignored, not coerced', () => {
    const err = configError(() => new ServerClient({ env: { TOKENKIT_API_KEY: 'bound-key', TOKENKIT_API_SECRET: 42 } }));
    expect(err.issues.map((i) => i.path)).toEqual(['apiSecret']);
    const client = new ServerClient({ apiKey: 'k', apiSecret: SECRET, env: { TOKENKIT_API_SECRETS: 'not json' } });
    expect(kidOf(client.generateUserToken({ user_id: 'a' }))).toBeUndefined();
  });

  test('its errors name the variables and never a value', () => {
    const err = configError(() => new ServerClient({ env: { TOKENKIT_API_KEY: 'k', TOKENKIT_API_SECRET: SECRET, TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'a', secret: OTHER }]) } }));
    expect(err.message).toBe('ServerClient: set TOKENKIT_API_SECRET (one secret) or TOKENKIT_API_SECRETS (a keyring), not both');
    const bad = configError(() => new ServerClient({ env: { TOKENKIT_API_KEY: 'k', TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'a', secret: OTHER, extra: SECRET }]) } }));
    expect(bad.message).toBe('ServerClient: invalid TOKENKIT_API_SECRETS[0].extra: unknown key (expected kid and secret)');
    for (const e of [err, bad]) expect(`${e.message}${JSON.stringify(e.issues)}${inspect(e)}`).not.toMatch(new RegExp(`${SECRET}|${OTHER}`));
  });

  test.each([
    ['a string', 'TOKENKIT_API_KEY=k'],
    ['an array', [['TOKENKIT_API_KEY', 'k']]],
    ['null', null],
  ])('%s is refused, naming env', (_, env) => {
    const err = configError(() => new ServerClient({ apiKey: 'k', apiSecret: SECRET, env: env as never }));
    expect(err.issues).toEqual([{ path: 'env', message: "expected an object of environment variables, such as process.env or a Worker's env bindings" }]);
  });
});

describe('browser-like runtimes', () => {
  const g = globalThis as Record<string, unknown>;
  afterEach(() => {
    delete g['window'];
  });
  test('refuses to construct where window.document exists', () => {
    g['window'] = { document: {} };
    const err = configError(() => new ServerClient({ apiKey: 'k', apiSecret: SECRET }));
    expect(err.message).toMatch(/browser-like runtime.*dangerouslyAllowBrowser/s);
  });
  test('constructs there with dangerouslyAllowBrowser: true', () => {
    g['window'] = { document: {} };
    expect(new ServerClient({ apiKey: 'k', apiSecret: SECRET, dangerouslyAllowBrowser: true }).apiKey).toBe('k');
  });
});

describe('the secret never shows', () => {
  const clients = [
    new ServerClient({ apiKey: 'k', apiSecret: SECRET, baseUrl: 'http://127.0.0.1:1' }),
    new ServerClient({ apiKey: 'k', apiSecret: createSecretKey(Buffer.from(SECRET)) }),
  ];
  test.each(clients.map((c) => [c]))('in util.inspect, JSON.stringify, String and Object.keys (%#)', (client) => {
    const shown = [
      inspect(client, { showHidden: true, depth: 10 }),
      JSON.stringify(client),
      String(client),
      JSON.stringify(Object.keys(client)),
      JSON.stringify(Object.getOwnPropertyNames(client)),
      JSON.stringify({ ...client }),
    ].join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(inspect(client)).toContain('apiKey');
  });

  test('in the errors of bad options', () => {
    for (const bad of [{ apiSecret: SECRET, apiKey: 'k', foo: SECRET }, { apiSecret: SECRET, timeoutMs: SECRET }]) {
      const err = configError(() => new ServerClient(bad as never));
      expect(`${err.message}\n${JSON.stringify(err.issues)}\n${inspect(err)}`).not.toContain(SECRET);
    }
  });
});
