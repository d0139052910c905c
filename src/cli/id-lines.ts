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

/** Where a read of a file is: lines so far, bytes so far, and a line begun in an earlier chunk. */
interface ReadState {
  readonly parse: LineParser;
  readonly maxLineBytes: number;
  line: number;
  read: number;
  pending: Buffer[];
  pendingBytes: number;
  tooLong: boolean;
}

/** The line that ends at `piece` (with what earlier chunks held of it), into `out`. */
function endLine(s: ReadState, piece: Buffer, offset: number, out: IdLine[]): void {
  s.line += 1;
  if (s.tooLong || s.pendingBytes + piece.length > s.maxLineBytes) {
    out.push({ line: s.line, offset, error: tooLongError(s.line, s.maxLineBytes) });
  } else {
    const text = s.pending.length === 0 ? piece.toString('utf8') : Buffer.concat([...s.pending, piece]).toString('utf8');
    const item = s.parse(s.line, offset, text);
    if (item) out.push(item);
  }
  s.pending = [];
  s.pendingBytes = 0;
  s.tooLong = false;
}

/**
 * The whole lines of a chunk of ASCII from `start` (each a slice of the chunk decoded once: its
 * characters are its bytes, so the offsets are the same), into `out`; answers where the last
 * line ends.
 */
function asciiLines(s: ReadState, text: string, start: number, base: number, out: IdLine[]): number {
  const { parse, maxLineBytes } = s;
  let line = s.line;
  for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
    line += 1;
    const long = nl - start > maxLineBytes;
    const piece = long ? '' : text.slice(start, nl);
    start = nl + 1;
    if (long) out.push({ line, offset: base + start, error: tooLongError(line, maxLineBytes) });
    else {
      const item = parse(line, base + start, piece);
      if (item) out.push(item);
    }
  }
  s.line = line;
  return start;
}

/** The lines a chunk ends, into `out`; the rest of it is kept for the next chunk. */
function chunkLines(s: ReadState, chunk: Buffer, out: IdLine[]): void {
  const base = s.read;
  s.read += chunk.length;
  let start = 0;
  const nl = chunk.indexOf(10);
  if (nl !== -1) {
    // The first line may go on from the chunk before.
    endLine(s, chunk.subarray(0, nl), base + nl + 1, out);
    start = nl + 1;
    if (isAscii(chunk)) start = asciiLines(s, chunk.toString('latin1'), start, base, out);
    else {
      for (let next = chunk.indexOf(10, start); next !== -1; next = chunk.indexOf(10, start)) {
        endLine(s, chunk.subarray(start, next), base + next + 1, out);
        start = next + 1;
      }
    }
  }
  const rest = chunk.subarray(start);
  if (rest.length === 0) return;
  if (s.tooLong || s.pendingBytes + rest.length > s.maxLineBytes) {
    s.tooLong = true;
    s.pending = [];
    s.pendingBytes = 0;
  } else {
    // Copied: the stream may reuse the chunk's memory.
    s.pending.push(Buffer.from(rest));
    s.pendingBytes += rest.length;
  }
}

/**
 * Bytes read at a time. Small: the lines of a chunk are objects that live until the run has taken
 * them all into batches, and those of a large chunk outlive several scavenges, each copying them
 * (a 100k-id run took 2 to 4% less CPU with 16 KiB chunks than with 256 KiB ones).
 */
const CHUNK_BYTES = 16 * 1024;

/**
 * Streams the lines of a file a chunk at a time (16 KiB): the items and errors of the lines each
 * chunk ends, in order, never holding more than one chunk's lines and one line begun. Blank lines
 * are skipped, surrounding spaces and `\r` are trimmed, a line that is not a valid id comes back
 * with an `error` naming its number. A run goes through its lines with no promise a line.
 */
export async function* readIdChunks(path: string, parse: LineParser = classify, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<IdLine[]> {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const s: ReadState = { parse, maxLineBytes, line: 0, read: 0, pending: [], pendingBytes: 0, tooLong: false };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const out: IdLine[] = [];
      chunkLines(s, chunk, out);
      if (out.length > 0) yield out;
    }
    if (s.tooLong || s.pendingBytes > 0) {
      // The last line, without a newline after it.
      const out: IdLine[] = [];
      endLine(s, Buffer.alloc(0), s.read, out);
      if (out.length > 0) yield out;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Streams the ids of a file, one per line ({@link readIdChunks}, a line at a time): blank lines
 * are skipped, surrounding spaces and `\r` are trimmed, a line that is not a valid id comes back
 * with an `error` naming its number.
 */
export async function* readIdLines(path: string, parse: LineParser = classify, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<IdLine> {
  for await (const lines of readIdChunks(path, parse, maxLineBytes)) yield* lines;
}

/**
 * Counts the lines of a file that hold something besides spaces (the ids a run will handle, for
 * its progress), streaming: one pass over the bytes, nothing kept.
 */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let filled = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (filled || holdsText(chunk, start, nl)) count++;
      filled = false;
      start = nl + 1;
    }
    filled ||= holdsText(chunk, start, chunk.length);
  }
  return filled ? count + 1 : count;
}

/** Whether `bytes[start..end)` holds a byte besides spaces, tabs and `\r` (most lines: their first byte). */
function holdsText(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c !== 32 && c !== 13 && c !== 9) return true;
  }
  return false;
}
