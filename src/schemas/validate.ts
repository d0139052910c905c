// Validation in one place: parsing with zod into tokenkit's errors (ArgumentError for a call's
// arguments, ConfigError for a client's options), the per-request options every admin call takes,
// the user-id rule for paths, and the defaults the clients fall back on.
import { z } from 'zod';
import { ArgumentError, ConfigError, issuesFromZod } from '../errors';
import { USER_ID_PATTERN, userIdSchema } from './common';

/** Milliseconds one attempt may take, where the options do not say (ServerClient, UserClient). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** The most `timeoutMs` may be: ten minutes. */
export const MAX_TIMEOUT_MS = 600_000;
/** Retries after the first attempt, where the options do not say. */
export const DEFAULT_MAX_RETRIES = 2;
/** The longest `Retry-After` (seconds) a client waits for, where the options do not say. */
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 60;

/** An `ArgumentError` for one field: `Invalid <what>: <path>: <message>` (`Invalid <path>: <message>` where `what` is the field). */
export function argumentError(path: string, message: string, what = path): ArgumentError {
  return new ArgumentError(`Invalid ${what}: ${what === path ? '' : `${path}: `}${message}`, [{ path, message }]);
}

/** How {@link parseArgument} reports: `oneLine` joins the fields with `; ` (the emulator's 400 messages). */
export interface ParseArgumentOptions {
  /** Prefix of every issue's path, e.g. the argument's own name. */
  prefix?: string;
  /** One line, `Invalid <what>: a: ...; b: ...`, instead of one line per field. */
  oneLine?: boolean;
}

/** Parses `value` with `schema`; an {@link ArgumentError} names `what` and every field at fault. */
export function parseArgument<S extends z.ZodType>(schema: S, value: unknown, what: string, options: ParseArgumentOptions = {}): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const err = ArgumentError.fromZod(what, parsed.error, options.prefix);
  if (!options.oneLine) throw err;
  const text = err.issues.map((i) => `${i.path || '(value)'}: ${i.message}`).join('; ');
  throw new ArgumentError(`Invalid ${what}: ${text}`, err.issues);
}

/**
 * Parses an options object with its strict schema. A failure lists every field at fault and then
 * the valid options: a {@link ConfigError} for a client's options (`kind: 'config'`, the default),
 * an {@link ArgumentError} for the options of one call (`kind: 'argument'`).
 */
export function parseOptions<S extends z.ZodObject>(schema: S, input: unknown, what: string, kind: 'config' | 'argument' = 'config'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = issuesFromZod(parsed.error);
  const lines = issues.map((i) => `  - ${i.path || (kind === 'config' ? '(options)' : '(value)')}: ${i.message}`);
  const message = `Invalid ${what}:\n${lines.join('\n')}\nValid options: ${Object.keys(schema.shape).join(', ')}.`;
  throw kind === 'config' ? new ConfigError(message, issues) : new ArgumentError(message, issues);
}

/** An `AbortSignal`. */
export const signalSchema = z.custom<AbortSignal>((v) => v instanceof AbortSignal, { error: 'expected an AbortSignal' });

/** Milliseconds an attempt may take: a whole number from 1 to {@link MAX_TIMEOUT_MS}. */
export const timeoutMsSchema = z
  .number({ error: 'expected milliseconds (a number)' })
  .int({ error: 'expected whole milliseconds' })
  .positive({ error: 'must be more than 0' })
  .max(MAX_TIMEOUT_MS, { error: `must be at most ${MAX_TIMEOUT_MS}` });

/** The fields of the per-request options (`signal`, `timeoutMs`), to spread into a larger options schema. */
export const requestOptionsShape = {
  signal: signalSchema.optional(),
  timeoutMs: timeoutMsSchema.optional(),
};

/** The per-request options every admin method takes: `{ signal?, timeoutMs? }`. */
export const requestOptionsSchema = z.strictObject(requestOptionsShape);

/** Validates a user id for a path; an {@link ArgumentError} names `field`. */
export function validateUserId(id: unknown, field = 'userId'): string {
  if (typeof id === 'string' && USER_ID_PATTERN.test(id)) return id; // the same rule as userIdSchema, without a schema pass
  return parseArgument(userIdSchema, id, field, { prefix: field });
}
