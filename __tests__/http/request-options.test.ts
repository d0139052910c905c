// One schema for the per-request options (signal, timeoutMs): every method that takes them, and
// both clients' timeoutMs option, refuse the same bad value with the same message, before any
// request is sent (nock refuses every connection here).
import nock from 'nock';
import { ArgumentError, ConfigError, ServerClient } from 'tokenkit';
import { UserClient } from 'tokenkit/client';
import { API_KEY, SECRET } from '../support/nock';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

const client = new ServerClient({ apiKey: API_KEY, apiSecret: SECRET, baseUrl: 'http://127.0.0.1:1', maxRetries: 0 });

function issueOf(err: unknown, path: string): string | undefined {
  return err instanceof ArgumentError ? err.issues.find((i) => i.path === path)?.message : undefined;
}

test.each([
  ['getApp', () => client.getApp({ timeoutMs: 0 })],
  ['updateApp', () => client.updateApp({ disable_auth_checks: false }, { timeoutMs: 0 })],
  ['issueToken', () => client.issueToken('alice', { timeoutMs: 0 })],
  ['rotateUserToken', () => client.rotateUserToken('alice', { timeoutMs: 0 })],
  ['bulk.revokeUserTokens', () => client.bulk.revokeUserTokens(['alice'], { timeoutMs: 0 })],
])('%s refuses timeoutMs 0 with the shared message', async (_name, call) => {
  const err = await call().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ArgumentError);
  expect(issueOf(err, 'timeoutMs')).toBe('must be more than 0');
});

test.each([
  ['getApp', () => client.getApp({ timeoutMs: 600_001 })],
  ['issueToken', () => client.issueToken('alice', { timeoutMs: 600_001 })],
  ['bulk.revokeUserTokens', () => client.bulk.revokeUserTokens(['alice'], { timeoutMs: 600_001 })],
])('%s refuses a timeoutMs over ten minutes with the shared message', async (_name, call) => {
  const err = await call().catch((e: unknown) => e);
  expect(issueOf(err, 'timeoutMs')).toBe('must be at most 600000');
});

test('both clients refuse the same timeoutMs option with a ConfigError and the same message', () => {
  const server = () => new ServerClient({ apiKey: API_KEY, apiSecret: SECRET, timeoutMs: 1.5 });
  const user = () => new UserClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:1', timeoutMs: 1.5 });
  for (const make of [server, user]) {
    const err = (() => {
      try {
        make();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(issueOf(err, 'timeoutMs')).toBe('expected whole milliseconds');
    expect((err as Error).message).toMatch(/\nValid options: .*timeoutMs/);
  }
});
