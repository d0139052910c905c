import { BASE_DELAY_MS, MAX_DELAY_MS, decideRetry, isRetryableStatus, parseRetryAfter } from '../../src/http/retry';

const base = { maxRetries: 3, maxRetryAfterSeconds: 60, random: () => 0.5 };

describe('decideRetry (the pure retry policy)', () => {
  test.each([408, 429, 500, 502, 503, 504, 599])('retries status %i', (status) => {
    expect(decideRetry({ ...base, attempt: 1, status })).toEqual({ retry: true, delayMs: BASE_DELAY_MS / 2 });
  });

  test.each([400, 401, 403, 404, 405, 409, 413, 422])('does not retry status %i', (status) => {
    expect(decideRetry({ ...base, attempt: 1, status })).toEqual({ retry: false, reason: 'not-retryable' });
  });

  test('a 2xx is not retried', () => {
    expect(decideRetry({ ...base, attempt: 1, status: 200 })).toEqual({ retry: false, reason: 'success' });
  });

  test.each(['timeout', 'connection'] as const)('retries a %s failure', (failure) => {
    expect(decideRetry({ ...base, attempt: 1, failure }).retry).toBe(true);
  });

  test('stops after maxRetries retries', () => {
    expect(decideRetry({ ...base, attempt: 3, status: 503 }).retry).toBe(true);
    expect(decideRetry({ ...base, attempt: 4, status: 503 })).toEqual({ retry: false, reason: 'exhausted' });
    expect(decideRetry({ ...base, maxRetries: 0, attempt: 1, failure: 'connection' })).toEqual({ retry: false, reason: 'exhausted' });
  });

  test('backs off exponentially up to the cap, with full jitter', () => {
    const top = (attempt: number) => decideRetry({ ...base, maxRetries: 10, attempt, status: 500, random: () => 0.999999 });
    const delays = [1, 2, 3, 4, 5, 6, 7].map((a) => {
      const d = top(a);
      return d.retry ? d.delayMs : -1;
    });
    expect(delays).toEqual([499, 999, 1999, 3999, 7999, 7999, 7999]);
    expect(MAX_DELAY_MS).toBe(8000);
    const zero = decideRetry({ ...base, attempt: 3, status: 500, random: () => 0 });
    expect(zero).toEqual({ retry: true, delayMs: 0 });
  });

  test('the jitter is clamped to [0, 1] whatever the random source answers', () => {
    expect(decideRetry({ ...base, attempt: 1, status: 500, random: () => 7 })).toEqual({ retry: true, delayMs: BASE_DELAY_MS });
    expect(decideRetry({ ...base, attempt: 1, status: 500, random: () => -1 })).toEqual({ retry: true, delayMs: 0 });
  });

  test('honours Retry-After exactly, up to the cap', () => {
    expect(decideRetry({ ...base, attempt: 1, status: 429, retryAfterHeader: '7' })).toEqual({ retry: true, delayMs: 7000 });
    expect(decideRetry({ ...base, attempt: 1, status: 503, retryAfterHeader: '60' })).toEqual({ retry: true, delayMs: 60_000 });
    expect(decideRetry({ ...base, attempt: 1, status: 429, retryAfterHeader: '0' })).toEqual({ retry: true, delayMs: 0 });
  });

  test('fails clearly past the cap instead of waiting', () => {
    expect(decideRetry({ ...base, attempt: 1, status: 429, retryAfterHeader: '61' })).toEqual({
      retry: false,
      reason: 'retry-after-too-long',
      retryAfterSeconds: 61,
    });
  });

  test('reads Retry-After as an HTTP date', () => {
    const nowMs = Date.parse('2026-01-01T00:00:00Z');
    const header = new Date(nowMs + 5000).toUTCString();
    expect(decideRetry({ ...base, attempt: 1, status: 503, retryAfterHeader: header, nowMs })).toEqual({ retry: true, delayMs: 5000 });
  });

  test('an unreadable Retry-After falls back to the backoff', () => {
    expect(decideRetry({ ...base, attempt: 2, status: 429, retryAfterHeader: 'soon' })).toEqual({ retry: true, delayMs: BASE_DELAY_MS });
  });

  test('exhaustion wins over Retry-After', () => {
    expect(decideRetry({ ...base, attempt: 4, status: 429, retryAfterHeader: '1' })).toEqual({ retry: false, reason: 'exhausted' });
  });
});

describe('parseRetryAfter and isRetryableStatus', () => {
  test.each([
    ['3', 3],
    [' 12 ', 12],
    ['1.5', 1.5],
    ['-1', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('parseRetryAfter(%p) is %p', (header, expected) => {
    expect(parseRetryAfter(header, 0)).toBe(expected);
  });

  test('a date in the past is zero seconds', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2015 00:00:00 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(0);
  });

  test('only 408, 429 and 5xx are retryable', () => {
    const retryable = [100, 200, 301, 400, 404, 408, 429, 499, 500, 503, 599, 600].filter(isRetryableStatus);
    expect(retryable).toEqual([408, 429, 500, 503, 599]);
  });
});
