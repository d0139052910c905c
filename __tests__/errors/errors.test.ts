import {
  AbortError,
  ApiError,
  ArgumentError,
  ConfigError,
  ConnectionError,
  ResponseShapeError,
  TimeoutError,
  TokenError,
  TokenkitError,
  type TokenkitErrorCode,
} from 'tokenkit';

test.each([
  [new ArgumentError('bad', [{ path: 'user_id', message: 'bad' }]), 'ArgumentError', 'ERR_ARGUMENT'],
  [new ConfigError('bad'), 'ConfigError', 'ERR_CONFIG'],
  [new TokenError(44, 'revoked'), 'TokenError', 44],
  [new ApiError({ status: 404, code: 16, message: 'user not found' }), 'ApiError', 16],
  [new TimeoutError('slow'), 'TimeoutError', 'ERR_TIMEOUT'],
  [new AbortError('aborted'), 'AbortError', 'ERR_ABORTED'],
  [new ConnectionError('refused'), 'ConnectionError', 'ERR_CONNECTION'],
  [new ResponseShapeError('odd', []), 'ResponseShapeError', 'ERR_RESPONSE_SHAPE'],
] as Array<[TokenkitError, string, TokenkitErrorCode]>)('%p has its name and stable code, and is a TokenkitError', (err, name, code) => {
  expect(err).toBeInstanceOf(TokenkitError);
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe(name);
  expect(err.code).toBe(code);
  expect(String(err)).toContain(name);
});

test('cause is passed through', () => {
  const cause = new Error('socket hang up');
  expect(new ConnectionError('could not reach the platform', { cause }).cause).toBe(cause);
  expect(new TokenError(43, 'bad', { cause }).cause).toBe(cause);
});

test('ApiError carries status, request id, rate limits, and redacts secret headers at the source', () => {
  const err = new ApiError({
    status: 429,
    code: 9,
    message: 'rate limited',
    requestId: 'req-1',
    method: 'PATCH',
    path: '/v1/users',
    rateLimit: { limit: 10, remaining: 0, retryAfterSeconds: 3 },
    headers: { 'Api-Key': 'the-key', authorization: 'Bearer eyJsecret', 'content-type': 'application/json', Cookie: 'sid=1' },
  });
  expect(err.message).toBe('rate limited (PATCH /v1/users, request req-1)');
  expect(err).toMatchObject({ status: 429, code: 9, requestId: 'req-1', rateLimit: { retryAfterSeconds: 3 } });
  expect(err.requestHeaders).toEqual({
    'Api-Key': '[redacted]',
    authorization: '[redacted]',
    'content-type': 'application/json',
    Cookie: '[redacted]',
  });
  expect(JSON.stringify(err) + String(err.stack)).not.toMatch(/eyJsecret|the-key/);
  expect(err.isTokenError).toBe(false);
  expect(new ApiError({ status: 401, code: 44, message: 'revoked' }).isTokenError).toBe(true);
});

test('switching on code narrows to the right class', () => {
  const describe = (err: TokenkitError): string => {
    if (err instanceof TokenError) {
      switch (err.code) {
        case 40:
          return 'expired';
        case 44:
          return 'revoked';
        default:
          return `token ${err.code}`;
      }
    }
    return String(err.code);
  };
  expect(describe(new TokenError(40, 'x'))).toBe('expired');
  expect(describe(new TokenError(44, 'x'))).toBe('revoked');
  expect(describe(new TokenError(46, 'x'))).toBe('token 46');
  expect(describe(new TimeoutError('x'))).toBe('ERR_TIMEOUT');
});
