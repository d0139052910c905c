import { inspect } from 'node:util';
import { ArgumentError, ConfigError, TokenError, UserClient, type UserClientOptions } from 'tokenkit/client';
import { thrownBy } from '../support/errors';

// Every call here is refused before the network: the fetch records what it was asked for.
const asked: string[] = [];
const recordingFetch = async (url: string | URL): Promise<Response> => {
  asked.push(String(url));
  throw new Error('this test expects no request');
};
const chat = () => new UserClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9', fetch: recordingFetch });

beforeEach(() => {
  asked.length = 0;
});
afterEach(() => {
  expect(asked).toEqual([]);
});

describe('options', () => {
  test.each<[string, unknown, string]>([
    ['no apiKey', { baseUrl: 'http://127.0.0.1:1' }, 'apiKey'],
    ['an empty apiKey', { apiKey: '', baseUrl: 'http://127.0.0.1:1' }, 'apiKey'],
    ['no baseUrl', { apiKey: 'k' }, 'baseUrl'],
    ['a baseUrl that is not http(s)', { apiKey: 'k', baseUrl: 'ftp://127.0.0.1' }, 'baseUrl'],
    ['an apiSecret (a secret has no place in a user client)', { apiKey: 'k', baseUrl: 'http://127.0.0.1:1', apiSecret: 's3cret' }, 'apiSecret'],
    ['timeoutMs 0', { apiKey: 'k', baseUrl: 'http://127.0.0.1:1', timeoutMs: 0 }, 'timeoutMs'],
    ['a negative refreshAheadSeconds', { apiKey: 'k', baseUrl: 'http://127.0.0.1:1', refreshAheadSeconds: -1 }, 'refreshAheadSeconds'],
    ['fetch not a function', { apiKey: 'k', baseUrl: 'http://127.0.0.1:1', fetch: 'fetch' }, 'fetch'],
  ])('%s is a ConfigError naming the field', (_name, options, path) => {
    const caught = thrownBy(() => new UserClient(options as UserClientOptions));
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.path)).toContain(path);
    expect((caught as ConfigError).message).not.toContain('s3cret');
  });
});

describe('bad arguments reject (never throw) with an ArgumentError, before any request', () => {
  test.each<[string, (c: UserClient) => Promise<unknown>, string]>([
    ['connectUser without a user', (c) => c.connectUser(null as unknown as { id: string }, 'token'), 'user'],
    ['connectUser with a bad id', (c) => c.connectUser({ id: 'not valid!' }, 'token'), 'user.id'],
    ['connectUser with an empty id', (c) => c.connectUser({ id: '' }, 'token'), 'user.id'],
    ['connectUser without a token argument', (c) => c.connectUser({ id: 'alice' }, undefined as unknown as null), 'tokenOrProvider'],
    ['connectUser with an empty token', (c) => c.connectUser({ id: 'alice' }, ''), 'tokenOrProvider'],
    ['connectUser with a number for a token', (c) => c.connectUser({ id: 'alice' }, 42 as unknown as string), 'tokenOrProvider'],
    ['setGuestUser with a bad id', (c) => c.setGuestUser({ id: 'a b' }), 'user.id'],
    ['setGuestUser with an unknown field', (c) => c.setGuestUser({ id: 'g', role: 'admin' } as { id: string }), 'user.role'],
    ['getUser with a bad id', (c) => c.getUser('x/y'), 'id'],
    ['updateMe writing its role', (c) => c.updateMe({ set: { role: 'admin' } }), 'set.role'],
    ['updateMe undoing its revocation', (c) => c.updateMe({ set: { revoke_tokens_issued_before: null } }), 'set.revoke_tokens_issued_before'],
    ['updateMe unsetting its id', (c) => c.updateMe({ unset: ['id'] }), 'unset.0'],
    ['updateMe with nothing to do', (c) => c.updateMe({}), ''],
  ])('%s', async (_name, run, path) => {
    const c = chat();
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = run(c);
    }).not.toThrow();
    const err: unknown = await (promise as Promise<unknown>).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).issues.map((i) => i.path)).toContain(path);
  });
});

test('requests before any connect reject with 45 (connect first), without a request', async () => {
  const c = chat();
  await expect(c.getUser('alice')).rejects.toMatchObject({ name: 'TokenError', code: 45 });
  await expect(c.updateMe({ set: { name: 'x' } })).rejects.toBeInstanceOf(TokenError);
});

test('disconnectUser when not connected is a no-op', async () => {
  const c = chat();
  await expect(c.disconnectUser()).resolves.toBeUndefined();
  expect(c.userId).toBeUndefined();
});

test('inspect and JSON.stringify show no token', async () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiYWxpY2UifQ.c2lnbmF0dXJl';
  const c = new UserClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9', fetch: async () => new Promise<Response>(() => undefined) });
  void c.connectUser({ id: 'alice' }, token).catch(() => undefined);
  expect(inspect(c, { depth: 5, showHidden: true })).not.toContain(token);
  expect(JSON.stringify(c)).not.toContain(token);
  expect(JSON.parse(JSON.stringify(c))).toEqual({ baseUrl: 'http://127.0.0.1:9', userId: 'alice' });
  await c.disconnectUser();
});
