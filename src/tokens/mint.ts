import { z } from 'zod';
import { ArgumentError } from '../errors';
import { refuseProtoKeys, shapeError, userIdSchema } from '../schemas/common';
import { RESERVED_CLAIMS } from './claims';
import { HS256_HEADER_B64, signHS256 } from './jws';
import type { SigningKey } from './key';
import { runtime } from '../runtime';

/**
 * The default validity of `generateUserToken`: one hour.
 *
 * @example
 * ```ts
 * import { DEFAULT_VALIDITY_SECONDS } from 'tokenkit';
 * const token = client.generateUserToken({ user_id: 'alice' }); // valid DEFAULT_VALIDITY_SECONDS (3600)
 * const { exp = 0, iat = 0 } = await client.verifyUserToken(token);
 * console.log(exp - Math.floor(iat) === DEFAULT_VALIDITY_SECONDS); // true
 * ```
 */
export const DEFAULT_VALIDITY_SECONDS = 3600;
/**
 * The longest validity `generateUserToken` takes: ten years.
 *
 * @example
 * ```ts
 * import { MAX_VALIDITY_SECONDS } from 'tokenkit';
 * const longest = client.generateUserToken({ user_id: 'alice', validity_in_seconds: MAX_VALIDITY_SECONDS });
 * ```
 */
export const MAX_VALIDITY_SECONDS = 10 * 365 * 24 * 3600;

const reserved = new Set<string>(RESERVED_CLAIMS);

/**
 * What {@link ServerClient.generateUserToken} takes.
 *
 * @example
 * ```ts
 * import type { GenerateUserTokenInput } from 'tokenkit';
 * const input: GenerateUserTokenInput = { user_id: 'alice', validity_in_seconds: 600, claims: { plan: 'pro' } };
 * const token = client.generateUserToken(input);
 * ```
 */
export interface GenerateUserTokenInput {
  /** The user the token is for: 1 to 128 characters from `[A-Za-z0-9@_\-.]`. */
  user_id: string;
  /** How long the token is valid, in whole seconds (default 3600, at most ten years). */
  validity_in_seconds?: number | undefined;
  /** Extra claims to put in the token; the reserved names (`user_id`, `iat`, `exp`, ...) are refused. */
  claims?: Record<string, unknown> | undefined;
}

/** A token's validity: whole seconds, from 1 to ten years (shared by minting and the token provider). */
export const validitySecondsSchema = z
  .number({ error: 'expected a number of seconds' })
  .int({ error: 'expected whole seconds' })
  .positive({ error: 'expected a positive number of seconds' })
  .max(MAX_VALIDITY_SECONDS, { error: `must be at most ${MAX_VALIDITY_SECONDS} (ten years)` });

const generateInputSchema = z.strictObject(
  {
    user_id: userIdSchema,
    validity_in_seconds: validitySecondsSchema.optional(),
    claims: z
      .record(z.string(), z.json({ error: 'expected a JSON value' }), { error: 'expected an object of claims' })
      .superRefine((claims, ctx) => {
        for (const name of Object.keys(claims)) {
          if (reserved.has(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is reserved: tokenkit sets it or it means something to JWT libraries` });
          }
        }
      })
      .optional(),
  },
  { error: (issue) => shapeError(issue, '{ user_id, validity_in_seconds?, claims? }') },
);

/** Mints a user token: `{ ...claims, user_id, iat, exp }`, `iat` with millisecond precision. */
export function mintUserToken(key: SigningKey, input: GenerateUserTokenInput, nowMs: number): string {
  const claimsInput = typeof input === 'object' && input !== null ? (input as { claims?: unknown }).claims : undefined;
  refuseProtoKeys(claimsInput, 'generateUserToken input', 'claims');
  const parsed = generateInputSchema.safeParse(input);
  if (!parsed.success) throw ArgumentError.fromZod('generateUserToken input', parsed.error);
  const { user_id, validity_in_seconds = DEFAULT_VALIDITY_SECONDS, claims } = parsed.data;
  // The payload is a new object: the caller's input is never mutated, and option names
  // (validity_in_seconds) never reach the token.
  return signHS256(key, {
    ...claims,
    user_id,
    iat: nowMs / 1000,
    exp: Math.floor(nowMs / 1000) + validity_in_seconds,
  });
}

const SECONDS_THAT_LOOK_LIKE_MS = 1e11; // year 5138 in seconds; 1973 in milliseconds
const EARLIEST_PLAUSIBLE_TIMESTAMP = 1e9; // 2001-09-09 in seconds

function argumentError(field: string, message: string): ArgumentError {
  return new ArgumentError(`Invalid ${field}: ${message}`, [{ path: field, message }]);
}

function toEpochSeconds(field: string, value: unknown): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw argumentError(field, 'is an invalid Date');
    return ms / 1000;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw argumentError(field, 'expected seconds since the epoch (a finite number) or a Date');
  }
  if (value > SECONDS_THAT_LOOK_LIKE_MS) {
    throw argumentError(
      field,
      `${value} looks like milliseconds; JWT times are seconds since the epoch: pass Math.floor(ms / 1000), or a Date`,
    );
  }
  return value;
}

/**
 * The legacy chat signature: `exp` and `iat` in seconds since the epoch (or `Date`s). Without
 * `exp` the token never expires; `iat` is always stamped, so the token can still be revoked.
 */
export function mintLegacyToken(key: SigningKey, userId: unknown, exp: unknown, iat: unknown, nowMs: number): string {
  const id = userIdSchema.safeParse(userId);
  if (!id.success) throw ArgumentError.fromZod('userId', id.error, 'userId');
  const payload: Record<string, unknown> = { user_id: id.data };

  if (iat !== undefined && iat !== null) {
    const iatSeconds = toEpochSeconds('iat', iat);
    if (iatSeconds < EARLIEST_PLAUSIBLE_TIMESTAMP) {
      throw argumentError('iat', `${iatSeconds} is not a timestamp: iat is seconds since the epoch (leave it out to stamp now)`);
    }
    payload['iat'] = iatSeconds;
  } else {
    payload['iat'] = nowMs / 1000;
  }

  if (exp !== undefined && exp !== null) {
    const expSeconds = toEpochSeconds('exp', exp);
    if (!(exp instanceof Date) && !Number.isInteger(expSeconds)) {
      throw argumentError('exp', `${expSeconds} is not a whole number of seconds: JWT exp is whole seconds since the epoch`);
    }
    if (expSeconds < EARLIEST_PLAUSIBLE_TIMESTAMP) {
      throw argumentError(
        'exp',
        `${expSeconds} looks like a duration, but exp is a timestamp (seconds since the epoch): ` +
          `pass Math.floor(Date.now() / 1000) + ${expSeconds}, or use generateUserToken({ user_id, validity_in_seconds: ${expSeconds} })`,
      );
    }
    if (expSeconds * 1000 <= nowMs) {
      throw argumentError('exp', `${new Date(expSeconds * 1000).toISOString()} is in the past: the token would be expired at once`);
    }
    payload['exp'] = Math.floor(expSeconds);
  }
  return signHS256(key, payload);
}

/**
 * A development token: `<header>.<payload>.devtoken`, not signed. The platform accepts it only
 * while the app's `disable_auth_checks` is on. Never use it in production.
 */
export function mintDevToken(userId: unknown): string {
  const id = userIdSchema.safeParse(userId);
  if (!id.success) throw ArgumentError.fromZod('userId', id.error, 'userId');
  return HS256_HEADER_B64 + '.' + runtime.base64urlEncodeText(JSON.stringify({ user_id: id.data })) + '.devtoken';
}

/** The longest life of a server token (contract: "Authentication"). */
export const SERVER_TOKEN_MAX_SECONDS = 300;

/** A server token: `{ server: true, iat, exp }`, `exp` `ttlSeconds` (at most 300) after `iat`. */
export function mintServerToken(key: SigningKey, nowMs: number, ttlSeconds = SERVER_TOKEN_MAX_SECONDS): string {
  const iat = Math.floor(nowMs / 1000);
  return signHS256(key, { server: true, iat, exp: iat + Math.min(ttlSeconds, SERVER_TOKEN_MAX_SECONDS) });
}
