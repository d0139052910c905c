import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ArgumentError, issuesFromZod } from '../errors';
import { appSchema } from '../schemas/app';
import { epochMsSchema } from '../schemas/common';
import { userSchema } from '../schemas/users';
import type { EmulatorState } from './state';

// The data file (option `dataFile`, CLI `--data`): the app settings, the users and the session
// token hashes, as JSON. Connections, idempotency answers and the write log are not kept: they
// belong to one run. Secrets are not kept either: pass the same key and secret on restart.

const FILE_VERSION = 1;

const dataFileSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  app: appSchema,
  users: z.array(userSchema),
  session_tokens: z.array(
    z.strictObject({
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      user_id: z.string(),
      expires_at: epochMsSchema,
      deleted: z.boolean(),
    }),
  ),
});

/**
 * Loads the data file into `state`. A missing file is an empty state; a file that is not valid
 * JSON of the expected shape is refused (never overwritten), naming the file and the field.
 */
export function loadDataFile(file: string, state: EmulatorState): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ArgumentError(`Invalid dataFile ${file}: not valid JSON (fix or delete it; it is never overwritten while unreadable)`, [
      { path: 'dataFile', message: 'not valid JSON' },
    ]);
  }
  const parsed = z.safeDecode(dataFileSchema, raw as z.input<typeof dataFileSchema>);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error, 'dataFile');
    const text2 = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ArgumentError(`Invalid dataFile ${file}: ${text2}`, issues);
  }
  const { app, users, session_tokens } = parsed.data;
  state.app = {
    revoke_tokens_issued_before: app.revoke_tokens_issued_before,
    disable_auth_checks: app.disable_auth_checks,
    access_token_permission: app.access_token_permission,
    jwt_enabled: app.jwt_enabled,
    jwt_compatibility_mode: app.jwt_compatibility_mode,
  };
  for (const u of users) state.users.set(u.id, u);
  for (const s of session_tokens) state.addSession(s.sha256, { userId: s.user_id, expiresAt: s.expires_at, deleted: s.deleted });
  state.dirty = false;
}

let tmpCounter = 0;

/**
 * Writes the state atomically: to a temporary file in the same folder, flushed to disk, then
 * renamed over the data file. A crash leaves either the old file or the new one, never a torn one.
 */
export function saveDataFile(file: string, state: EmulatorState): void {
  const data: z.output<typeof dataFileSchema> = {
    version: FILE_VERSION,
    app: state.app,
    users: [...state.users.values()],
    session_tokens: [...state.sessions].map(([sha256, s]) => ({
      sha256,
      user_id: s.userId,
      expires_at: s.expiresAt,
      deleted: s.deleted,
    })),
  };
  const text = JSON.stringify(z.encode(dataFileSchema, data), null, 2) + '\n';
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
