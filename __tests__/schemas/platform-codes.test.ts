// The table of platform codes is the one place a code's meaning is written: the error types, the
// UserClient's refresh set and fault hints, the admin hints and docs/errors.md agree with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, PLATFORM_CODES, type PlatformCodeName } from 'tokenkit';
import { REFRESH_CODES, TOKEN_CODES, platformCode } from '../../src/schemas/codes';
import { faultHint, isRefreshCode } from '../../src/user-client/token-codes';

const entries = Object.entries(PLATFORM_CODES) as Array<[PlatformCodeName, (typeof PLATFORM_CODES)[PlatformCodeName]]>;

test('every code appears once, with a status, a meaning and a hint', () => {
  const codes = entries.map(([, e]) => e.code);
  expect(new Set(codes).size).toBe(codes.length);
  for (const [name, e] of entries) {
    expect({ name, status: e.status >= 400 && e.status <= 599, meaning: e.meaning.length > 0, hint: e.hint.length > 0 }).toEqual({ name, status: true, meaning: true, hint: true });
  }
  expect(platformCode(44)).toMatchObject({ name: 'tokenRevoked', status: 401, refresh: true });
  expect(platformCode(99)).toBeUndefined();
  expect(platformCode('ERR_REDIRECT')).toBeUndefined();
});

test('the token codes are 40 to 46, of which 40 and 44 mean "refresh"', () => {
  expect([...TOKEN_CODES].sort()).toEqual([40, 41, 42, 43, 44, 45, 46]);
  expect([...REFRESH_CODES].sort()).toEqual([40, 44]);
  expect([40, 44, 43, 'ERR_REDIRECT'].map(isRefreshCode)).toEqual([true, true, false, false]);
  for (const code of TOKEN_CODES) expect(new ApiError({ status: 401, code, message: 'refused' }).isTokenError).toBe(true);
  expect(new ApiError({ status: 307, code: 'ERR_REDIRECT', message: 'moved' }).isTokenError).toBe(false);
});

test('the UserClient explains the token codes a new token does not fix, and only those', () => {
  const explained = entries.filter(([, e]) => faultHint(e.code) !== undefined).map(([, e]) => e.code);
  expect(explained).toEqual([41, 42, 43, 45, 46]);
  expect(faultHint(41)).toMatch(/^a clock fault/);
  expect(faultHint(43)).toMatch(/^a signing fault/);
});

test('the admin hints cover the API key, the secret, a retired secret and the clock', () => {
  const hinted = entries.filter(([, e]) => 'adminHint' in e).map(([, e]) => e.code);
  expect(hinted).toEqual([2, 40, 42, 43, 44]);
});

test('docs/errors.md lists every code with its HTTP status, and the local ApiError codes', () => {
  const doc = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
  for (const [, e] of entries) {
    const row = doc.split('\n').find((line) => line.startsWith(`| ${e.code} |`));
    expect(row).toBeDefined();
    expect(row).toContain(e.code === -1 ? '5xx' : String(e.status));
  }
  expect(doc).toContain('| `ERR_REDIRECT` | `ApiError` |');
  expect(doc).toContain('| `ERR_NOT_PLATFORM_BODY` | `ApiError` |');
});
