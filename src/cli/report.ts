import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { z } from 'zod';
import { USER_ID_PATTERN } from '../schemas/common';
import { usageError } from './exit-codes';
import { LineSet } from './line-set';

// The report of a batch run: JSON lines, appended and flushed as the run goes (docs/cli.md,
// "Reports and resuming"). The first line describes the run; before a batch is sent, a `batch`
// line records its Idempotency-Key and its items (write-ahead), so that a run killed with its
// batches in flight can re-send exactly those batches with the same keys, and the platform
// replays its answers instead of applying them twice. Tokens and secrets are never written here.

export const REPORT_VERSION = 1;

/**
 * The schemas of the report's records, built the first time a report is read (a resumed run):
 * a new run only writes records, and does not pay for them at start-up.
 */
function buildSchemas() {
  const runRecordSchema = z.object({
    type: z.literal('run'),
    version: z.literal(REPORT_VERSION),
    command: z.enum(['revoke', 'restore', 'issue', 'import']),
    run_id: z.string().min(1),
    started_at: z.string(),
    ids_file: z.string(),
    ids_file_size: z.number().int().nonnegative(),
    batch_size: z.number().int().positive(),
    /** revoke: the fixed cutoff of the run (RFC 3339). */
    before: z.string().nullable(),
    /** issue: compatibility mode and the fixed `expires_at` (ms) of every token, null for the default. */
    compat: z.boolean().optional(),
    expires_at: z.number().nullable().optional(),
    /** issue: where the token lines go (an absolute path), null for stdout. */
    out: z.string().nullable().optional(),
    /** revoke, restore, issue: what becomes of unknown users (--missing); fixed for the run, as its derived keys depend on it. */
    missing: z.enum(['fail', 'skip', 'create']).optional(),
    /** import: how the file is read. */
    format: z.enum(['jsonl', 'csv']).optional(),
  });

  const batchRecordSchema = z.object({
    type: z.literal('batch'),
    seq: z.number().int().positive(),
    key: z.string().min(1),
    sent_at: z.string(),
    items: z.array(z.tuple([z.number().int().positive(), z.string()])).min(1),
  });

  const errorSchema = z.object({ code: z.union([z.number(), z.string()]), message: z.string() });

  const itemRecordSchema = z.object({
    type: z.literal('item'),
    line: z.number().int().positive(),
    id: z.string().optional(),
    status: z.enum(['done', 'failed', 'skipped']),
    batch: z.number().int().positive().optional(),
    error: errorSchema.optional(),
    expires_at: z.number().optional(),
    /** `created`: --missing create made the user before the item was applied. */
    note: z.literal('created').optional(),
  });

  const resumeRecordSchema = z.object({ type: z.literal('resume'), at: z.string() });
  const endRecordSchema = z.object({
    type: z.literal('end'),
    at: z.string(),
    done: z.number(),
    failed: z.number(),
    skipped: z.number(),
    interrupted: z.boolean(),
    reason: z.string().optional(),
    /** The signal that stopped the run (SIGINT, SIGTERM, SIGHUP), where one did. */
    signal: z.string().optional(),
    /** This run's failed and skipped items by code, and the users it created. */
    reasons: z.array(z.object({ status: z.enum(['done', 'failed', 'skipped']), code: z.union([z.number(), z.string()]), count: z.number() })).optional(),
  });

  const recordSchema = z.discriminatedUnion('type', [runRecordSchema, batchRecordSchema, itemRecordSchema, resumeRecordSchema, endRecordSchema]);
  return { runRecordSchema, batchRecordSchema, itemRecordSchema, endRecordSchema, recordSchema };
}

let schemas: ReturnType<typeof buildSchemas> | undefined;
const recordSchemas = (): ReturnType<typeof buildSchemas> => (schemas ??= buildSchemas());
type Schemas = ReturnType<typeof buildSchemas>;

export type RunRecord = z.infer<Schemas['runRecordSchema']>;
export type BatchRecord = z.infer<Schemas['batchRecordSchema']>;
export type ItemRecord = z.infer<Schemas['itemRecordSchema']>;
export type EndRecord = z.infer<Schemas['endRecordSchema']>;
type ReportRecord = z.infer<Schemas['recordSchema']>;

/** A batch of an earlier run that has items not yet done: re-sent with its own key on resume. */
export interface OpenBatch {
  record: BatchRecord;
  /** The lines of the batch already done (not reported again). */
  done: Set<number>;
}

/** What a resumed run needs from the report of the runs before it. */
export interface ReportState {
  run: RunRecord;
  /** Lines done (or skipped as duplicates) in earlier runs. */
  done: LineSet;
  /** Lines that belong to an open batch: the batch re-sends them, the file pass leaves them. */
  covered: LineSet;
  /** Batches with items not done, by sequence number. */
  openBatches: OpenBatch[];
  /** The highest batch number used so far. */
  lastSeq: number;
}

/**
 * Reads a report to resume its run. A last line cut short by a hard kill is ignored; any other
 * line that is not a record ends with a usage error naming its number.
 */
export async function readReport(path: string): Promise<ReportState> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`cannot read the report ${JSON.stringify(path)}: ${code === 'ENOENT' ? 'no such file' : String(code)}`);
  }
  // Loaded here, where a report is read (a resumed run), not at every start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createInterface } = require('node:readline') as typeof import('node:readline');
  const { recordSchema } = recordSchemas();
  const lines = createInterface({ input: handle.createReadStream(), crlfDelay: Infinity });
  let run: RunRecord | undefined;
  const done = new LineSet();
  const batches = new Map<number, OpenBatch & { remaining: Set<number> }>();
  let lastSeq = 0;
  let n = 0;
  let bad: number | undefined;
  for await (const text of lines) {
    n += 1;
    if (text.length === 0) continue;
    if (bad !== undefined) throw usageError(`the report ${JSON.stringify(path)} is damaged at line ${bad}: not a report record`);
    let record: ReportRecord;
    try {
      const parsed = recordSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error('shape');
      record = parsed.data;
    } catch {
      bad = n; // fine if it is the last line (torn by a hard kill); checked on the next line
      continue;
    }
    if (n === 1) {
      if (record.type !== 'run') throw usageError(`${JSON.stringify(path)} is not a tokenkit report (its first line is not a run record)`);
      run = record;
      continue;
    }
    if (record.type === 'batch') {
      lastSeq = Math.max(lastSeq, record.seq);
      batches.set(record.seq, { record, done: new Set(), remaining: new Set(record.items.map(([line]) => line)) });
    } else if (record.type === 'item' && record.status !== 'failed') {
      done.add(record.line);
      if (record.batch !== undefined) {
        const b = batches.get(record.batch);
        if (b) {
          b.done.add(record.line);
          b.remaining.delete(record.line);
          if (b.remaining.size === 0) batches.delete(record.batch);
        }
      }
    }
  }
  if (!run) throw usageError(`${JSON.stringify(path)} is not a tokenkit report (${bad === 1 ? 'its first line is not a run record' : 'it is empty'})`);
  const covered = new LineSet();
  const openBatches = [...batches.values()].sort((a, b) => a.record.seq - b.record.seq);
  for (const b of openBatches) for (const line of b.remaining) covered.add(line);
  return { run, done, covered, openBatches: openBatches.map(({ record, done: d }) => ({ record, done: d })), lastSeq };
}

const ITEM_KEYS = ['type', 'line', 'id', 'status', 'batch'];
const BATCH_KEYS = ['type', 'seq', 'key', 'sent_at', 'items'];
/** Text JSON.stringify writes as it is: printable ASCII without `"` and `\`. */
const PLAIN_TEXT = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** The characters of a plain id, by code: 1 where USER_ID_PATTERN allows it (A-Z a-z 0-9 @ _ - .). */
const ID_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (USER_ID_PATTERN.test(String.fromCharCode(c))) ID_CHAR[c] = 1;

/** The fixed parts of the records written by hand, as bytes (each copied at once). */
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const ITEM_LINE = latin1('{"type":"item","line":');
const ITEM_ID = latin1(',"id":"');
const ITEM_STATUS = { done: latin1('","status":"done","batch":'), failed: latin1('","status":"failed","batch":'), skipped: latin1('","status":"skipped","batch":') };
const BATCH_SEQ = latin1('{"type":"batch","seq":');
const BATCH_KEY = latin1(',"key":"');
const BATCH_SENT_AT = latin1('","sent_at":"');
const BATCH_ITEMS = latin1('","items":[');
const BATCH_FIRST = latin1('[');
const BATCH_NEXT = latin1(',[');
const BATCH_ID = latin1(',"');
const BATCH_ITEM_END = latin1('"]');
const BATCH_END = latin1(']}\n');
const RECORD_END = latin1('}\n');

/** Whether the keys of `r` are exactly `keys`, in that order (the order JSON.stringify follows). */
function hasKeys(r: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in r) if (key !== keys[i++]) return false;
  return i === keys.length;
}

/**
 * The bytes of the next write, appended in place: a run's records go into one Buffer, reused from
 * write to write, without a string a line (or a string a write to convert), so that a batch leaves
 * no garbage behind for the collector (the run's heap is busy with the requests in flight).
 */
class LineBuffer {
  #bytes = Buffer.allocUnsafe(64 * 1024);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.length + n));
    this.#bytes.copy(grown, 0, 0, this.length);
    this.#bytes = grown;
  }

  /** Fixed bytes (a part of a record that never changes). */
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#bytes.set(b, this.length);
    this.length += b.length;
  }

  /**
   * A plain id (1 to 128 characters from A-Z a-z 0-9 @ _ - ., which JSON writes as they are),
   * checked as it is copied; false for any other value (what was copied of it stays: the caller
   * sets `length` back).
   */
  plainId(id: unknown): boolean {
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) return false;
    this.#room(id.length);
    const bytes = this.#bytes;
    const at = this.length;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 128 || ID_CHAR[c] === 0) return false;
      bytes[at + i] = c;
    }
    this.length = at + id.length;
    return true;
  }

  /** Text of one-byte characters only (checked by the caller: keys and dates of plain text). */
  ascii(text: string): void {
    this.#room(text.length);
    const bytes = this.#bytes;
    const at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
    this.length = at + text.length;
  }

  /** A safe integer, as JSON writes it. */
  int(n: number): void {
    if (n < 0) {
      this.ascii('-');
      n = -n;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.#room(digits);
    for (let i = this.length + digits - 1, x = n; i >= this.length; i--, x = Math.floor(x / 10)) this.#bytes[i] = 48 + (x % 10);
    this.length += digits;
  }

  /** Any text, as UTF-8. */
  utf8(text: string): void {
    this.#room(text.length * 3);
    this.length += this.#bytes.write(text, this.length, 'utf8');
  }

  /** The bytes so far (valid until the next append); the buffer is empty again. */
  take(): Buffer {
    const data = this.#bytes.subarray(0, this.length);
    this.length = 0;
    return data;
  }
}

/** What an item's outcome says besides its status: where it says nothing more, its record is written by hand. */
export interface ItemResult {
  status: 'done' | 'failed' | 'skipped';
  error?: { code: number | string; message: string } | undefined;
  note?: 'created' | undefined;
  expires_at?: number | undefined;
}

/** One line of the file in a batch: its number and its id. */
export interface LineId {
  line: number;
  id: string;
}

/**
 * Appends `{"type":"item","line":…,"id":…,"status":…,"batch":…}` (the bytes JSON.stringify gives)
 * where the values need no escaping; false, with nothing appended, otherwise.
 */
function appendPlainItem(out: LineBuffer, line: unknown, id: unknown, status: unknown, batch: unknown): boolean {
  if (!Number.isSafeInteger(line) || !Number.isSafeInteger(batch) || (status !== 'done' && status !== 'failed' && status !== 'skipped')) return false;
  const start = out.length;
  out.bytes(ITEM_LINE);
  out.int(line as number);
  out.bytes(ITEM_ID);
  if (!out.plainId(id)) {
    out.length = start;
    return false;
  }
  out.bytes(ITEM_STATUS[status]);
  out.int(batch as number);
  out.bytes(RECORD_END);
  return true;
}

/**
 * Appends `{"type":"batch","seq":…,"key":…,"sent_at":…,"items":[[line,"id"],…]}` (the bytes
 * JSON.stringify gives) where the values need no escaping; false, with nothing appended, otherwise.
 * `lineOf` and `idOf` read an item (a `[line, id]` pair of a record, or a line of the file).
 */
function appendPlainBatch<T>(out: LineBuffer, seq: unknown, key: unknown, sentAt: unknown, items: readonly T[], lineOf: (item: T) => unknown, idOf: (item: T) => unknown): boolean {
  if (!Number.isSafeInteger(seq) || typeof key !== 'string' || !PLAIN_TEXT.test(key) || typeof sentAt !== 'string' || !PLAIN_TEXT.test(sentAt)) return false;
  const start = out.length;
  out.bytes(BATCH_SEQ);
  out.int(seq as number);
  out.bytes(BATCH_KEY);
  out.ascii(key);
  out.bytes(BATCH_SENT_AT);
  out.ascii(sentAt);
  out.bytes(BATCH_ITEMS);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const line = lineOf(item);
    if (!Number.isSafeInteger(line)) {
      out.length = start;
      return false;
    }
    out.bytes(i === 0 ? BATCH_FIRST : BATCH_NEXT);
    out.int(line as number);
    out.bytes(BATCH_ID);
    if (!out.plainId(idOf(item))) {
      out.length = start;
      return false;
    }
    out.bytes(BATCH_ITEM_END);
  }
  out.bytes(BATCH_END);
  return true;
}

const pairLine = (item: unknown): unknown => (Array.isArray(item) && item.length === 2 ? (item[0] as unknown) : undefined);
const pairId = (item: unknown): unknown => (item as unknown[])[1];
const lineOf = (item: LineId): unknown => item.line;
const idOf = (item: LineId): unknown => item.id;

/**
 * Appends one record as a JSON line. The two records a run writes most (an item with nothing more
 * to say, and a batch of plain ids) are written by hand: the bytes `JSON.stringify` gives for those
 * keys in that order (ids, keys and dates that need no escaping), at a fraction of the cost; every
 * other record goes through it.
 */
function appendRecord(out: LineBuffer, r: ReportRecord): void {
  if (r.type === 'item') {
    if (hasKeys(r, ITEM_KEYS) && appendPlainItem(out, r.line, r.id, r.status, r.batch)) return;
  } else if (r.type === 'batch') {
    if (hasKeys(r, BATCH_KEYS) && Array.isArray(r.items) && appendPlainBatch(out, r.seq, r.key, r.sent_at, r.items as unknown[], pairLine, pairId)) return;
  }
  out.utf8(JSON.stringify(r) + '\n');
}

/** Appends the item records of a batch's items and their outcomes (in the order JSON.stringify would give their keys). */
function appendItems(out: LineBuffer, batch: number, items: readonly LineId[], outcomes: readonly ItemResult[]): void {
  for (let i = 0; i < items.length; i++) {
    const { line, id } = items[i] as LineId;
    const o = outcomes[i] as ItemResult;
    if (o.error === undefined && o.expires_at === undefined && o.note === undefined && appendPlainItem(out, line, id, o.status, batch)) continue;
    const record: ItemRecord = { type: 'item', line, id, status: o.status, batch };
    if (o.error) record.error = o.error;
    if (o.expires_at !== undefined) record.expires_at = o.expires_at;
    if (o.note !== undefined) record.note = o.note;
    appendRecord(out, record);
  }
}

/**
 * Appends records to a report. Each {@link write} is one synchronous write, in the file before the
 * call returns: a batch's record is on disk before its request leaves, and a process killed at any
 * moment leaves whole records (and at most a last line cut short, which {@link readReport} skips).
 * Item records held by {@link items} go out with the next write, before its own records, in the
 * same write: a run holds the item records of a finished batch for the record of the batch it
 * sends next, one write a batch instead of two. They reach the file later, and a hard kill before
 * then loses them: only records whose loss a resumed run makes good are held (a batch's items,
 * whose `batch` record is in the file already: the batch is re-sent with its key, and the platform
 * replays its answer).
 */
export class ReportWriter {
  readonly #fd: number;
  #closed = false;
  /** The records held for the next write, then that write's own. */
  readonly #out = new LineBuffer();
  readonly path: string;

  private constructor(fd: number, path: string) {
    this.#fd = fd;
    this.path = path;
  }

  /** Starts a new report; refuses to overwrite one (it may be the only way to resume a run). */
  static create(path: string, run: RunRecord): ReportWriter {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usageError(
        code === 'EEXIST'
          ? `the report ${JSON.stringify(path)} exists already: continue its run with --resume ${path}, or choose another file`
          : `cannot create the report ${JSON.stringify(path)}: ${String(code)}`,
      );
    }
    const writer = new ReportWriter(fd, path);
    writer.write([run]);
    return writer;
  }

  /** Opens a report to continue it, first cutting off a last line left unfinished by a hard kill. */
  static reopen(path: string): ReportWriter {
    const fd = openSync(path, 'r+');
    try {
      const { size } = fstatSync(fd);
      const tailSize = Math.min(size, 64 * 1024);
      const tail = Buffer.alloc(tailSize);
      readSync(fd, tail, 0, tailSize, size - tailSize);
      if (tailSize > 0 && tail[tailSize - 1] !== 10) {
        const lastNewline = tail.lastIndexOf(10);
        ftruncateSync(fd, lastNewline === -1 ? size - tailSize : size - tailSize + lastNewline + 1);
      }
    } finally {
      closeSync(fd);
    }
    return new ReportWriter(openSync(path, 'a'), path);
  }

  /** Appends the records held, then these, as JSON lines in one write. */
  write(records: ReadonlyArray<ReportRecord>): void {
    if (this.#closed) return;
    for (const r of records) appendRecord(this.#out, r);
    this.#send();
  }

  /**
   * Appends the records held, then the record of a batch about to be sent, in one write: the
   * record `write([{ type: 'batch', seq, key, sent_at, items: [[line, id], ...] }])` would write,
   * read from the lines themselves.
   */
  writeBatch(seq: number, key: string, sentAt: string, items: readonly LineId[]): void {
    if (this.#closed) return;
    if (!appendPlainBatch(this.#out, seq, key, sentAt, items, lineOf, idOf)) {
      appendRecord(this.#out, { type: 'batch', seq, key, sent_at: sentAt, items: items.map((i): [number, string] => [i.line, i.id]) });
    }
    this.#send();
  }

  /**
   * The item records of a batch's items (each with its outcome, in order): held for the next write
   * (`hold`; see the class) or written now. The records `{ type: 'item', line, id, status, batch }`
   * with the outcome's error, expires_at and note, where it has them.
   */
  items(batch: number, items: readonly LineId[], outcomes: readonly ItemResult[], hold: boolean): void {
    if (this.#closed) return;
    appendItems(this.#out, batch, items, outcomes);
    if (!hold) this.#send();
  }

  /** Writes what the buffer holds, in one write. */
  #send(): void {
    if (this.#out.length === 0) return;
    const data = this.#out.take();
    // A short write, rare, goes on from the bytes not yet written.
    for (let written = 0; written < data.length; ) written += writeSync(this.#fd, data, written, data.length - written);
  }

  /** Writes the records held, if any. */
  flush(): void {
    if (this.#out.length > 0) this.write([]);
  }

  /** Writes the records held, and closes the file. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    closeSync(this.#fd);
  }
}
