import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { USER_ID_PATTERN, userIdSchema } from '../schemas/common';
import { usageError } from './exit-codes';

/** One line of an ids file: its 1-based number, and the id, or why the line is not one. */
export type IdLine = ({ id: string; error?: undefined; data?: Record<string, unknown> | undefined } | { id?: undefined; error: string; data?: undefined }) & {
  line: number;
  /** Bytes of the file up to the end of this line: how far a run has come. */
  offset: number;
};

/** Longer lines are not ids (an id has at most 128 characters); they are skipped without being kept in memory. */
export const MAX_LINE_BYTES = 4096;

/**
 * Checks that `path` is a readable regular file and returns its size; a usage error otherwise,
 * so that a wrong path ends the command before anything is done (exit 2).
 */
export async function checkIdsFile(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw usageError(`the ids file ${JSON.stringify(path)} is not a regular file`);
    return s.size;
  } catch (err) {
    if (!(err instanceof Error) || !('code' in err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`cannot read the ids file ${JSON.stringify(path)}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code)}`);
  }
}

/** Turns one line's text into an item, an error, or nothing (a blank line). */
export type LineParser = (line: number, offset: number, raw: string) => IdLine | undefined;

function classify(line: number, offset: number, raw: string): IdLine | undefined {
  const text = raw.trim();
  if (text.length === 0) return undefined;
  if (USER_ID_PATTERN.test(text)) return { line, offset, id: text }; // the schema's rule, without a zod pass per line
  const parsed = userIdSchema.safeParse(text);
  if (parsed.success) return { line, offset, id: parsed.data };
  const shown = text.length > 40 ? JSON.stringify(text.slice(0, 40)) + '…' : JSON.stringify(text);
  return { line, offset, error: `line ${line}: ${shown} is not a valid user id (${parsed.error.issues[0]?.message ?? 'invalid'})` };
}

/** The error of a line over `maxLineBytes`. */
function tooLongError(line: number, maxLineBytes: number): string {
  return `line ${line}: longer than ${maxLineBytes} bytes, ${maxLineBytes === MAX_LINE_BYTES ? 'not a user id' : 'too long for one user'}`;
}

/**
 * Streams the ids of a file, one per line, never holding more than one chunk and one line:
 * blank lines are skipped, surrounding spaces and `\r` are trimmed, a line that is not a valid id
 * comes back with an `error` naming its number.
 */
export async function* readIdLines(path: string, parse: LineParser = classify, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<IdLine> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  let read = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const base = read;
      read += chunk.length;
      let start = 0;
      const ascii = isAscii(chunk);
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        line += 1;
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        const offset = base + start;
        if (tooLong || pendingBytes + piece.length > maxLineBytes) {
          yield { line, offset, error: tooLongError(line, maxLineBytes) };
        } else {
          const text = pending.length === 0 ? piece.toString('utf8') : Buffer.concat([...pending, piece]).toString('utf8');
          const item = parse(line, offset, text);
          if (item) yield item;
        }
        pending = [];
        pendingBytes = 0;
        tooLong = false;
        if (ascii) break; // the first line may go on from the chunk before; the rest are whole lines
      }
      if (ascii) {
        // The common case, a chunk of ASCII lines: decoded once, each line a slice of that string
        // (its characters are its bytes, so the offsets are the same), not a Buffer and a decode a line.
        const text = chunk.toString('latin1');
        for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
          line += 1;
          const long = nl - start > maxLineBytes;
          const piece = long ? '' : text.slice(start, nl);
          start = nl + 1;
          const offset = base + start;
          if (long) {
            yield { line, offset, error: tooLongError(line, maxLineBytes) };
          } else {
            const item = parse(line, offset, piece);
            if (item) yield item;
          }
        }
      }
      const rest = chunk.subarray(start);
      if (rest.length > 0) {
        if (tooLong || pendingBytes + rest.length > maxLineBytes) {
          tooLong = true;
          pending = [];
          pendingBytes = 0;
        } else {
          // Copied: the stream may reuse the chunk's memory.
          pending.push(Buffer.from(rest));
          pendingBytes += rest.length;
        }
      }
    }
    if (tooLong || pendingBytes > 0) {
      line += 1;
      if (tooLong) yield { line, offset: read, error: tooLongError(line, maxLineBytes) };
      else {
        const item = parse(line, read, Buffer.concat(pending).toString('utf8'));
        if (item) yield item;
      }
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Counts the lines of a file that hold something besides spaces (the ids a run will handle, for
 * its progress), streaming: one pass over the bytes, nothing kept.
 */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let filled = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (c === 10) {
        if (filled) count++;
        filled = false;
      } else if (c !== 32 && c !== 13 && c !== 9) filled = true;
    }
  }
  return filled ? count + 1 : count;
}
