import { closeSync, openSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { ArgumentError } from '../errors';
import { findProtoKey, PROTO_KEY_MESSAGE } from '../schemas/common';
import { MAX_USERS_PER_REQUEST, type UserInput, userInputSchema, userSchema } from '../schemas/users';
import { type BatchFlags, addBatchOptions, executeBatchRun, planRun, platformFrom } from './batch-command';
import type { BatchWork, ItemOutcome, RunItem } from './batch-run';
import { addConnectionOptions } from './config';
import { EXIT, type ExitCode, usageError } from './exit-codes';
import { type IdLine, type LineParser, readIdChunks } from './id-lines';
import { parsePositiveInt, parseUserId } from './parse';
import { errorRecord, isFatal, refusedForAnItem, type Platform } from './platform';
import { fmt } from './progress';
import { type Io, processIo, runCommand } from './run';

/** The fields only the platform writes: left out of an imported line (an export holds them). */
const PLATFORM_FIELDS = ['created_at', 'updated_at', 'requires_token', 'revoke_tokens_issued_before'];

/** An imported user may hold up to this many bytes on its line. */
const MAX_USER_LINE_BYTES = 64 * 1024;

function shown(text: string): string {
  return text.length > 40 ? JSON.stringify(text.slice(0, 40)) + '…' : JSON.stringify(text);
}

/** Checks one user (its platform fields left out) for upsert; an error names the line and the field. */
function userLine(line: number, offset: number, record: Record<string, unknown>): IdLine {
  const proto = findProtoKey(record);
  if (proto) return { line, offset, error: `line ${line}: ${proto}: ${PROTO_KEY_MESSAGE}` };
  const user: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!PLATFORM_FIELDS.includes(k)) user[k] = v;
  const parsed = userInputSchema.safeParse(user);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { line, offset, error: `line ${line}: ${issue?.path.join('.') || 'user'}: ${issue?.message ?? 'invalid'}` };
  }
  return { line, offset, id: user['id'] as string, data: user };
}

/** JSON lines: one user object a line (an export's lines too: the platform's fields are left out). */
export const jsonUserLine: LineParser = (line, offset, raw) => {
  const text = raw.trim();
  if (text.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, offset, error: `line ${line}: ${shown(text)} is not JSON` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, offset, error: `line ${line}: expected a JSON object with an "id"` };
  return userLine(line, offset, value as Record<string, unknown>);
};

/** The fields of one CSV line (RFC 4180 quoting within the line); undefined where a quote is left open. */
export function csvFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      while (i < text.length && text[i] !== ',') field += text[i++]; // text after the closing quote
    } else {
      const comma = text.indexOf(',', i);
      field = comma === -1 ? text.slice(i) : text.slice(i, comma);
      i = comma === -1 ? text.length : comma;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/**
 * CSV with a header line naming the columns, one of them `id`: `name` and `role` go to those
 * fields, every other column to a custom field of that name (a string). An empty cell leaves the
 * field out. A quoted cell may hold commas and `""`, not a line break.
 */
function csvParser(): LineParser {
  let header: string[] | undefined;
  return (line, offset, raw) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim().length === 0) return undefined;
    const cells = csvFields(text);
    if (cells === undefined) return { line, offset, error: `line ${line}: a quoted cell is not closed on its line (line breaks in cells are not supported)` };
    if (header === undefined) {
      header = cells.map((c) => c.trim());
      if (!header.includes('id')) return { line, offset, error: `line ${line}: the CSV header has no "id" column` };
      return undefined;
    }
    if (!header.includes('id')) return { line, offset, error: `line ${line}: the CSV header has no "id" column` };
    if (cells.length !== header.length) return { line, offset, error: `line ${line}: ${cells.length} cells, the header has ${header.length}` };
    const record: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = cells[i] as string;
      if (cell !== '' && name !== '') Object.defineProperty(record, name, { value: name === 'id' ? cell.trim() : cell, enumerable: true, writable: true, configurable: true });
    });
    return userLine(line, offset, record);
  };
}

/** Upserts a batch of users (`POST /v1/users`) with its key; a refusal for one of them splits the batch (`KEY/0`, `KEY/1`). */
function importWork(platform: Platform): BatchWork {
  async function apply(items: RunItem[], key: string): Promise<ItemOutcome[]> {
    try {
      await platform.client.upsertUsers(
        items.map((i) => (i.data ?? { id: i.id }) as UserInput),
        { idempotencyKey: key },
      );
      return items.map(() => ({ status: 'done' }));
    } catch (err) {
      if (isFatal(err)) throw err;
      if (items.length > 1 && (refusedForAnItem(err) || err instanceof ArgumentError)) {
        const mid = Math.ceil(items.length / 2);
        const [a, b] = await Promise.all([apply(items.slice(0, mid), `${key}/0`), apply(items.slice(mid), `${key}/1`)]);
        return [...a, ...b];
      }
      const error = errorRecord(err);
      return items.map(() => ({ status: 'failed', error }));
    }
  }
  return {
    apply,
    // `change`: a new user; `same`: one that exists (its name and custom fields would be replaced).
    preview: async (items) => {
      const { users } = await platform.client.queryUsers({ ids: items.map((i) => i.id) });
      const known = new Set(users.map((u) => u.id));
      return items.map((i) => (known.has(i.id) ? 'same' : 'change'));
    },
  };
}

interface ImportFlags extends BatchFlags {
  file?: string;
  format?: 'jsonl' | 'csv';
}

async function importCommand(io: Io, flags: ImportFlags): Promise<ExitCode> {
  if (flags.file !== undefined && flags.usersFile !== undefined) throw usageError('give --file FILE (--users-file is the same flag for import): not both');
  const batchFlags: ImportFlags = { ...flags, usersFile: flags.file ?? flags.usersFile };
  if (flags.resume !== undefined && flags.format !== undefined) throw usageError('a resumed run keeps its --format: leave it out');
  if (flags.resume === undefined && batchFlags.usersFile === undefined) throw usageError('give --file FILE (JSON lines, or CSV with an id column), or --resume REPORT');
  const platform = await platformFrom(io, batchFlags);
  const plan = await planRun('import', batchFlags, () => ({
    format: flags.format ?? (extname(batchFlags.usersFile ?? '').toLowerCase() === '.csv' ? 'csv' : 'jsonl'),
  }));
  const format = plan.run.format ?? 'jsonl';
  if (flags.json !== true) io.err(`import: upserting the users of ${plan.idsFile} (${format === 'csv' ? 'CSV' : 'JSON lines'}), ${plan.run.batch_size} a request\n`);
  return executeBatchRun(io, {
    label: 'import',
    plan,
    work: importWork(platform),
    flags: batchFlags,
    concurrency: flags.concurrency ?? 8,
    platform,
    readLines: (path) => readIdChunks(path, format === 'csv' ? csvParser() : jsonUserLine, MAX_USER_LINE_BYTES),
    dryRunLabels: { change: 'new users (would be created)', same: 'existing users (would be replaced: name, role where given, custom fields)' },
  });
}

/** Writes text to an open file or to stdout, waiting for stdout to drain (an export of millions). */
function writer(path: string | undefined): { write: (text: string) => Promise<void>; close: () => void } {
  if (path === undefined) {
    return {
      write: (text) => new Promise((done) => (process.stdout.write(text) ? done() : process.stdout.once('drain', () => done()))),
      close: () => undefined,
    };
  }
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(code === 'EEXIST' ? `the output ${JSON.stringify(path)} exists already: move it away or choose another --out` : `cannot create ${JSON.stringify(path)}: ${String(code)}`);
  }
  return {
    write: async (text) => {
      const data = Buffer.from(text);
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written);
    },
    close: () => closeSync(fd),
  };
}

/** A user as a JSON line: the wire form (RFC 3339 dates), as `GET /v1/users` answers it. */
function userLineText(user: z.output<typeof userSchema>): string {
  return JSON.stringify(z.encode(userSchema, user)) + '\n';
}

async function exportCommand(io: Io, flags: BatchFlags & { out?: string; pageSize?: number }): Promise<ExitCode> {
  const platform = await platformFrom(io, flags);
  const out = writer(flags.out);
  const started = Date.now();
  let n = 0;
  let chunk = '';
  try {
    for await (const user of platform.client.listUsers({ limit: flags.pageSize ?? 1000 })) {
      chunk += userLineText(user);
      n++;
      if (chunk.length > 256 * 1024) {
        await out.write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) await out.write(chunk);
  } finally {
    out.close();
  }
  if (flags.quiet !== true) io.err(`export: ${fmt(n)} users${flags.out !== undefined ? ` to ${flags.out}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return EXIT.ok;
}

async function getCommand(io: Io, ids: string[], flags: BatchFlags): Promise<ExitCode> {
  const platform = await platformFrom(io, flags);
  const found = new Map<string, z.output<typeof userSchema>>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += MAX_USERS_PER_REQUEST) {
    const { users } = await platform.client.queryUsers({ ids: unique.slice(i, i + MAX_USERS_PER_REQUEST) });
    for (const u of users) found.set(u.id, u);
  }
  let missing = 0;
  for (const id of ids) {
    const user = found.get(id);
    if (user) io.out(userLineText(user));
    else {
      missing++;
      io.err(`tokenkit: no user "${id}" (code 16)\n`);
    }
  }
  return missing > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * `tokenkit users import|export|get`: prepare the users of a migration, read them back.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * registerUsersCommands(new Command('tokenkit'));
 * ```
 */
export function registerUsersCommands(program: Command, io: Io = processIo()): Command {
  const users = program.command('users').description('import users from a file, export every user, or read some back');

  const imp = users
    .command('import')
    .description('create or replace users from JSON lines (an export too) or CSV with an id column; a resumable batch run')
    .option('--file <file>', 'the users: JSON lines, or CSV (by the .csv extension, or --format)')
    .addOption(new Option('--format <format>', 'how to read --file (default: csv for *.csv, else jsonl)').choices(['jsonl', 'csv']));
  addBatchOptions(imp, { batchSize: 100, concurrency: 8, missing: false });
  imp.addHelpText(
    'after',
    '\nJSON lines: {"id":"alice","name":"Alice","team":"blue"} a line; the platform\'s fields (created_at, updated_at,\n' +
      'requires_token, revoke_tokens_issued_before) are left out. CSV: a header line with an id column; name and role\n' +
      'go to those fields, other columns to custom fields (strings); an empty cell leaves the field out.\n\n' +
      'Examples:\n  tokenkit users import --file users.jsonl --dry-run\n  tokenkit users import --file users.csv --report import.jsonl\n  tokenkit users import --resume import.jsonl\n',
  );
  imp.action((flags: ImportFlags) => runCommand(io, () => importCommand(io, flags)));

  const exp = users
    .command('export')
    .description('write every user as JSON lines (id order, streamed), to stdout or a new file')
    .option('--out <file>', 'write to this new file instead of stdout')
    .addOption(new Option('--page-size <n>', 'users per request, 1 to 1000 (default 1000)').argParser((v) => parsePositiveInt(v, '--page-size', 1000)))
    .addOption(new Option('--retries <n>', 'retries per request (default 6)').argParser((v) => (v === '0' ? 0 : parsePositiveInt(v, '--retries', 10))))
    .option('--quiet', 'no closing count on stderr');
  exp.addHelpText('after', '\nExamples:\n  tokenkit users export --out users.jsonl\n  tokenkit users export | grep \'"requires_token":true\'\n');
  addConnectionOptions(exp);
  exp.action((flags: BatchFlags & { out?: string; pageSize?: number }) => runCommand(io, () => exportCommand(io, flags)));

  const get = users
    .command('get')
    .description('print users as JSON lines, in the order given; an unknown id is named on stderr (exit 1)')
    .argument('<id...>', 'user ids', (v: string, prev: string[] | undefined) => [...(prev ?? []), parseUserId(v)]);
  addConnectionOptions(get);
  get.action((ids: string[], flags: BatchFlags) => runCommand(io, () => getCommand(io, ids, flags)));
  return users;
}
