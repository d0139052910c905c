// Property-based tests of the wire schemas (shared by the SDK and the emulator) and of the retry
// policy: wire values decode and encode back to themselves, code values encode and
// decode back to themselves, and the retry decision always stays inside its bounds.
import fc from 'fast-check';
import { z } from 'zod';
import { ArgumentError, decideRetry, isRetryableStatus, parseRetryAfter } from 'tokenkit';
import { appPatchSchema, appSchema } from '../../src/schemas/app';
import { connectResponseSchema, guestResponseSchema, updateMeRequestSchema } from '../../src/schemas/client-routes';
import { errorBodySchema } from '../../src/schemas/common';
import { issueTokenRequestSchema, issueTokenResponseSchema, revokeTokenResponseSchema } from '../../src/schemas/tokens';
import { partialUpdateRequestSchema, putUserResponseSchema, upsertUsersRequestSchema, userSchema, usersResponseSchema } from '../../src/schemas/users';

const RUNS = { numRuns: Number(process.env.HARDENING_RUNS ?? 150) };
const SYSTEM = ['id', 'name', 'role', 'created_at', 'updated_at', 'revoke_tokens_issued_before', 'requires_token'];

const userIdArb = fc.stringMatching(/^[A-Za-z0-9@_\-.]{1,128}$/);
const dateArb = fc.date({ min: new Date('1970-01-01T00:00:00.001Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
const isoArb = dateArb.map((d) => d.toISOString());
const customArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !SYSTEM.includes(k) && k !== '__proto__'),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  { maxKeys: 4 },
);
/** A user as the platform sends it (wire form). */
const wireUserArb = fc
  .record({
    id: userIdArb,
    name: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    role: fc.constantFrom('user', 'guest', 'admin'),
    created_at: isoArb,
    updated_at: isoArb,
    revoke_tokens_issued_before: fc.option(isoArb, { nil: null }),
    requires_token: fc.boolean(),
  })
  .chain((u) => customArb.map((c) => ({ ...c, ...u })))
  .map((u) => {
    const { name, ...rest } = u;
    return name === undefined ? rest : { ...rest, name };
  });

/** decode, then encode: the same wire value. */
function wireRoundTrip<S extends z.ZodType>(schema: S, wire: unknown): void {
  const decoded = z.safeDecode(schema, wire as z.input<S>);
  expect(decoded.error).toBeUndefined();
  expect(z.encode(schema, decoded.data as z.output<S>)).toEqual(wire);
}

describe('wire schemas: decode then encode gives the wire value back', () => {
  test('user, users, user responses, put answers, guest and connect answers', () => {
    fc.assert(
      fc.property(wireUserArb, fc.array(wireUserArb, { maxLength: 3 }), fc.string({ minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 8.64e15 }), (user, more, token, ms) => {
        wireRoundTrip(userSchema, user);
        wireRoundTrip(usersResponseSchema, { users: Object.fromEntries(more.map((u) => [u.id, u])) });
        wireRoundTrip(putUserResponseSchema, { user, session_tokens: [{ session_token: token, expires_at: ms }] });
        wireRoundTrip(guestResponseSchema, { user, access_token: token });
        wireRoundTrip(connectResponseSchema, { user, connection_id: token, auth: 'jwt' });
        wireRoundTrip(issueTokenResponseSchema, { token, expires_at: ms });
        wireRoundTrip(revokeTokenResponseSchema, { revoke_tokens_issued_before: user.created_at });
      }),
      RUNS,
    );
  });

  test('app settings and error bodies', () => {
    const appArb = fc.record({
      revoke_tokens_issued_before: fc.option(isoArb, { nil: null }),
      disable_auth_checks: fc.boolean(),
      access_token_permission: fc.constantFrom('deny_login', 'read_only', 'read_write'),
      jwt_enabled: fc.boolean(),
      jwt_compatibility_mode: fc.boolean(),
    });
    const errorArb = fc.record({ code: fc.integer({ min: -1, max: 99 }), message: fc.string(), status_code: fc.integer({ min: 400, max: 599 }) });
    fc.assert(
      fc.property(appArb, errorArb, (app, error) => {
        wireRoundTrip(appSchema, app);
        wireRoundTrip(errorBodySchema, error);
      }),
      RUNS,
    );
  });

  test('a date with an offset decodes to the same instant and encodes in UTC with milliseconds', () => {
    fc.assert(
      fc.property(dateArb.filter((d) => d.getUTCFullYear() > 1970 && d.getUTCFullYear() < 9999), fc.integer({ min: -14 * 60, max: 14 * 60 }), (d, offsetMin) => {
        const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, -1);
        const sign = offsetMin >= 0 ? '+' : '-';
        const abs = Math.abs(offsetMin);
        const wire = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const decoded = z.decode(revokeTokenResponseSchema, { revoke_tokens_issued_before: wire });
        expect(decoded.revoke_tokens_issued_before.getTime()).toBe(d.getTime());
        expect(z.encode(revokeTokenResponseSchema, decoded)).toEqual({ revoke_tokens_issued_before: d.toISOString() });
      }),
      RUNS,
    );
  });
});

describe('wire schemas: encode then decode gives the code value back', () => {
  test('requests the SDK sends: upsert, partial update, app patch, issue, updateMe', () => {
    const cutoffArb = fc.option(dateArb, { nil: null });
    fc.assert(
      fc.property(fc.uniqueArray(userIdArb, { minLength: 1, maxLength: 5 }), cutoffArb, customArb, fc.integer({ min: 1, max: 8.64e15 }), (ids, cutoff, custom, ms) => {
        const codeRoundTrip = <S extends z.ZodType>(schema: S, value: z.output<S>): void => {
          const wire = z.safeEncode(schema, value);
          expect(wire.error).toBeUndefined();
          const back = z.decode(schema, JSON.parse(JSON.stringify(wire.data)) as z.input<S>);
          expect(back).toEqual(value);
        };
        codeRoundTrip(upsertUsersRequestSchema, { users: ids.map((id) => ({ ...custom, id })) });
        codeRoundTrip(partialUpdateRequestSchema, { users: ids.map((id) => ({ id, set: { ...custom, revoke_tokens_issued_before: cutoff } })) });
        codeRoundTrip(appPatchSchema, { revoke_tokens_issued_before: cutoff });
        codeRoundTrip(issueTokenRequestSchema, { expires_at: ms });
        if (Object.keys(custom).length > 0) codeRoundTrip(updateMeRequestSchema, { set: custom });
      }),
      RUNS,
    );
  });
});

describe('the retry policy stays inside its bounds', () => {
  const retryableStatus = fc.oneof(fc.constantFrom(408, 429), fc.integer({ min: 500, max: 599 }));
  const finalStatus = fc.integer({ min: 100, max: 599 }).filter((s) => !isRetryableStatus(s) && !(s >= 200 && s < 300));
  const failure = fc.oneof(
    retryableStatus.map((status) => ({ status })),
    fc.constantFrom({ failure: 'timeout' as const }, { failure: 'connection' as const }),
  );

  test('within the budget, a retryable failure waits between 0 and the capped exponential backoff', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 11 }), failure, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (maxRetries, attempt, f, r) => {
        const d = decideRetry({ attempt, maxRetries, maxRetryAfterSeconds: 60, random: () => r, ...f });
        if (attempt > maxRetries) {
          expect(d).toEqual({ retry: false, reason: 'exhausted' });
          return;
        }
        expect(d.retry).toBe(true);
        const delay = d.retry ? d.delayMs : -1;
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(8000, 500 * 2 ** (attempt - 1)));
      }),
      RUNS,
    );
  });

  test('a final status is never retried, and a 2xx is a success', () => {
    fc.assert(
      fc.property(finalStatus, fc.integer({ min: 200, max: 299 }), fc.integer({ min: 1, max: 11 }), (status, ok, attempt) => {
        expect(decideRetry({ attempt, maxRetries: 10, maxRetryAfterSeconds: 60, status })).toEqual({ retry: false, reason: 'not-retryable' });
        expect(decideRetry({ attempt, maxRetries: 10, maxRetryAfterSeconds: 60, status: ok })).toEqual({ retry: false, reason: 'success' });
      }),
      RUNS,
    );
  });

  test('Retry-After is honoured exactly up to the cap, and refused past it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7200 }), fc.integer({ min: 0, max: 3600 }), fc.boolean(), (seconds, cap, asDate) => {
        const nowMs = Date.parse('2026-01-01T00:00:00Z');
        const header = asDate ? new Date(nowMs + seconds * 1000).toUTCString() : String(seconds);
        const d = decideRetry({ attempt: 1, maxRetries: 2, status: 429, retryAfterHeader: header, maxRetryAfterSeconds: cap, nowMs });
        if (seconds <= cap) expect(d).toEqual({ retry: true, delayMs: seconds * 1000 });
        else expect(d).toEqual({ retry: false, reason: 'retry-after-too-long', retryAfterSeconds: seconds });
      }),
      RUNS,
    );
  });

  test('parseRetryAfter reads any text without throwing, and never answers a negative or NaN wait', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^-?\d{1,400}(\.\d{0,5})?$/), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), (text) => {
        const s = parseRetryAfter(text, Date.parse('2026-01-01T00:00:00Z'));
        if (s !== undefined) {
          expect(Number.isNaN(s)).toBe(false);
          expect(s).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('whatever a random source answers, the wait is a whole number inside the bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY)), (attempt, r) => {
        const d = decideRetry({ attempt, maxRetries: 10, maxRetryAfterSeconds: 60, status: 503, random: () => r });
        const delay = d.retry ? d.delayMs : -1;
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(8000, 500 * 2 ** (attempt - 1)));
      }),
      RUNS,
    );
  });

  test('invalid input (attempt, maxRetries, maxRetryAfterSeconds, status) is an ArgumentError, never a NaN wait', () => {
    const notCount = (min: number) => fc.oneof(fc.double().filter((v) => !(Number.isInteger(v) && v >= min)), fc.anything().filter((v) => typeof v !== 'number'));
    const bad = fc.oneof(
      notCount(1).map((attempt) => ({ attempt, maxRetries: 2, maxRetryAfterSeconds: 60, status: 503 })),
      notCount(0).map((maxRetries) => ({ attempt: 1, maxRetries, maxRetryAfterSeconds: 60, status: 503 })),
      fc.oneof(fc.double().filter((v) => !(v >= 0 && Number.isFinite(v))), fc.string()).map((m) => ({ attempt: 1, maxRetries: 2, maxRetryAfterSeconds: m, status: 429, retryAfterHeader: '1' })),
      fc.oneof(fc.double().filter((v) => !Number.isInteger(v)), fc.constantFrom<unknown>('503', null)).map((status) => ({ attempt: 1, maxRetries: 2, maxRetryAfterSeconds: 60, status })),
      fc.constantFrom<unknown>('dns', 42).map((f) => ({ attempt: 1, maxRetries: 2, maxRetryAfterSeconds: 60, failure: f })),
      fc.anything().filter((v) => typeof v !== 'object' || v === null),
    );
    fc.assert(
      fc.property(bad, (input) => {
        expect(() => decideRetry(input as Parameters<typeof decideRetry>[0])).toThrow(ArgumentError);
      }),
      RUNS,
    );
  });
});
