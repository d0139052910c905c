import { InvalidArgumentError } from 'commander';
import { userIdSchema } from '../schemas/common';
import { usageError } from './exit-codes';

/** Commander argument parser for a user id (1 to 128 of `[A-Za-z0-9@_\-.]`). */
export function parseUserId(value: string): string {
  const parsed = userIdSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`not a valid user id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Commander argument parser for a whole number from 1 to `max`. */
export function parsePositiveInt(value: string, flag: string, max: number): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} expects a whole number, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < 1 || n > max) throw new InvalidArgumentError(`${flag} must be from 1 to ${max}`);
  return n;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Commander argument parser for an RFC 3339 date with a zone (`2026-01-01T00:00:00Z`); `now` is allowed. */
export function parseIsoDate(value: string): Date {
  if (value === 'now') return new Date();
  if (!ISO.test(value)) {
    throw new InvalidArgumentError(`expects an RFC 3339 date with a time zone, such as 2026-01-01T00:00:00Z (or "now"), got ${JSON.stringify(value)}`);
  }
  const d = new Date(value);
  const [y, m, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  // Date rolls 2026-02-31 over to March 3: the day is checked against the month's length.
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (Number.isNaN(d.getTime()) || m < 1 || m > 12 || day < 1 || day > daysInMonth) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a real date`);
  return d;
}

/** A token given as an argument, or `-` to read it from stdin (trimmed). */
export async function readTokenArgument(arg: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (arg !== '-') return arg;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > 65_536) throw usageError('the token on stdin is longer than 64 KiB');
    chunks.push(b);
  }
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (token.length === 0) throw usageError('no token on stdin');
  return token;
}
