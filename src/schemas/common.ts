import { z } from 'zod';
import { ArgumentError } from '../errors';

/** The characters a user id may hold (contract: "User ids"). */
export const USER_ID_PATTERN = /^[A-Za-z0-9@_\-.]{1,128}$/;

/** A user id: 1 to 128 characters from `[A-Za-z0-9@_\-.]`. */
export const userIdSchema = z
  .string({ error: 'expected a string user id' })
  .min(1, { error: 'must not be empty' })
  .max(128, { error: 'must be at most 128 characters' })
  .regex(/^[A-Za-z0-9@_\-.]*$/, { error: 'may only hold the characters A-Z a-z 0-9 @ _ - .' });

/**
 * The message of an options object's own problems: not an object (`expected <shape>`), or unknown
 * keys, named (`unknown key "expiresIn": expected <shape>`), so a misspelt option is found at once.
 * Pass as the `error` of a `z.strictObject`; the fields' own problems keep their messages.
 */
export function shapeError(issue: { code?: string | undefined; keys?: readonly string[] | undefined }, shape: string): string | undefined {
  if (issue.code === 'unrecognized_keys') return `unknown key ${(issue.keys ?? []).map((k) => JSON.stringify(k)).join(', ')}: expected ${shape}`;
  if (issue.code === 'invalid_type') return `expected ${shape}`;
  return undefined;
}

const isHttpSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Whether `value` can be sent as an HTTP header value (an API key, a token). fetch trims spaces,
 * tabs and line breaks at the ends, and refuses a control character inside or a character past
 * U+00FF with a TypeError that quotes the whole value: a key or a token would then leak into the
 * error (and be retried as a connection failure). So tokenkit takes printable ASCII (inner spaces
 * and tabs too) and refuses the rest before sending (bad input never reaches the network). Loops, not a regex: no backtracking.
 */
export function isHeaderValue(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  let start = 0;
  let end = value.length;
  while (start < end && isHttpSpace(value.charCodeAt(start))) start++;
  while (end > start && isHttpSpace(value.charCodeAt(end - 1))) end--;
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c > 0x7e)) return false;
  }
  return true;
}

/** `Idempotency-Key`: 1 to 255 visible ASCII characters (the contract names no rule; docs/platform-api.md). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** An `Idempotency-Key` chosen by the caller: a string matching {@link IDEMPOTENCY_KEY_PATTERN}. */
export const idempotencyKeySchema = z
  .string({ error: 'expected a string' })
  .regex(IDEMPOTENCY_KEY_PATTERN, { error: 'expected 1 to 255 printable ASCII characters, without spaces' });

/**
 * A date as `Date#toISOString` writes it, the form tokenkit sends (the schema below also takes the
 * other RFC 3339 forms): the hand-written fast paths take this form only, and leave every other
 * to the schema.
 */
export const TO_ISO_STRING_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A point in time: RFC 3339 with milliseconds on the wire (`2026-01-01T00:00:00.000Z`), a `Date`
 * in code. `z.decode` turns wire into code, `z.encode` code into wire, so the SDK and the
 * emulator read and write the same shape.
 */
export const isoDateSchema = z.codec(
  z.iso.datetime({ offset: true, error: 'expected an RFC 3339 date string such as 2026-01-01T00:00:00.000Z' }),
  z.date({ error: 'expected a valid Date' }),
  {
    decode: (s) => new Date(s),
    encode: (d) => d.toISOString(),
  },
);

/** Milliseconds since the epoch, a whole number. */
export const epochMsSchema = z
  .number({ error: 'expected milliseconds since the epoch (a number)' })
  .int({ error: 'expected whole milliseconds since the epoch' })
  .positive({ error: 'expected milliseconds since the epoch (a positive number)' })
  .max(8.64e15, { error: 'is beyond the largest date' });

/** The error body of every non-2xx response (contract: "Error body"). */
export const errorBodySchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  status_code: z.number().int(),
  more_info: z.string().optional(),
  /** `PATCH /v1/users` refused with 404 (code 16): the ids that name no user (docs/platform-api.md, "Reading users back"). */
  unknown_user_ids: z.array(z.string()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;


/**
 * The path (`a.b.__proto__`) of the first own `__proto__` key anywhere in `value`, or undefined.
 * Such a key cannot survive a copy: zod's parse, a spread or `Object.assign` drops it or sets the
 * copy's prototype instead. So tokenkit refuses it by name, on both sides of the wire, rather than
 * lose it without a word (bad input is refused, never silently changed).
 */
export function findProtoKey(value: unknown, path = ''): string | undefined {
  const found = protoKeyIn(value, 0);
  return found === undefined || path === '' ? found : `${path}.${found}`;
}

/** {@link findProtoKey}'s search: the path below `value`, built only once a key is found (every request body goes through it). */
function protoKeyIn(value: unknown, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '__proto__')) return '__proto__';
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (typeof v !== 'object' || v === null) continue;
    const found = protoKeyIn(v, depth + 1);
    if (found !== undefined) return `${k}.${found}`;
  }
  return undefined;
}

/** What is said of a `__proto__` key found by {@link findProtoKey}. */
export const PROTO_KEY_MESSAGE = '"__proto__" may not be used as a field name: JavaScript readers would take it as the prototype';

/** Throws an `ArgumentError` naming the first `__proto__` key in `value` (see {@link findProtoKey}). */
export function refuseProtoKeys(value: unknown, what: string, prefix = ''): void {
  const path = findProtoKey(value, prefix);
  if (path) throw new ArgumentError(`Invalid ${what}:\n  - ${path}: ${PROTO_KEY_MESSAGE}`, [{ path, message: PROTO_KEY_MESSAGE }]);
}
