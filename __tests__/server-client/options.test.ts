import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ArgumentError, ConfigError, ServerClient, TokenkitError } from 'tokenkit';

const SECRET = 'options-secret-do-not-leak-0123456789';
const ENV_KEYS = ['TOKENKIT_API_KEY', 'TOKENKIT_API_SECRET', 'TOKENKIT_BASE_URL'] as const;
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
