import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ArgumentError, ConfigError, issuesFromZod } from '../errors';
import { appSchema } from '../schemas/app';
import { epochMsSchema, isoDateSchema } from '../schemas/common';
import { MAX_APP_SECRETS, kidSchema, secretStateSchema } from '../schemas/secrets';
import { userSchema } from '../schemas/users';
import { AppSecrets, INITIAL_KID, type StoredSecret, stored } from './secrets';
import type { EmulatorState } from './state';

// The data file (option `dataFile`, CLI `--data`): the app settings and secrets, the users and the
// session token hashes, as JSON. Connections, idempotency answers and the write log are not kept:
// they belong to one run. Of the secrets, every kid, state and date is kept, and the value of those
// the emulator generated (added ones, and a random first one); a value given as `apiSecret` is
// never written (it may be one used elsewhere): give it again at every start. The file is 0600.

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
  // Optional: files written before secret rotation have none (the app then starts with apiSecret).
  secrets: z
    .array(
      z.strictObject({
        kid: kidSchema,
        state: secretStateSchema,
        created_at: isoDateSchema,
        promoted_at: isoDateSchema.nullable(),
        retired_at: isoDateSchema.nullable(),
        /** Only for secrets the emulator generated. */
        value: z.string().min(1).optional(),
      }),
    )
    .min(1)
    .max(MAX_APP_SECRETS)
    .refine((list) => list.filter((s) => s.state === 'primary').length === 1, { error: 'expected exactly one primary secret' })
    .refine((list) => new Set(list.map((s) => s.kid)).size === list.length, { error: 'expected every kid once' })
    .optional(),
});

type FileSecret = NonNullable<z.output<typeof dataFileSchema>['secrets']>[number];

/**
 * The app's secrets from the data file, with `apiSecret` (the option) as the value of the secret
 * the file keeps without one (only {@link INITIAL_KID} can be that secret). Refused with a
 * `ConfigError` where they disagree: a restart must not change which secret checks a token.
 */
function secretsFromFile(file: string, list: FileSecret[], apiSecret: string | undefined): AppSecrets {
  const refuse = (message: string): never => {
    throw new ConfigError(`Invalid apiSecret for dataFile ${file}: ${message}`, [{ path: 'apiSecret', message }]);
  };
  const initial = list.find((s) => s.kid === INITIAL_KID);
  if (apiSecret !== undefined) {
    if (!initial) refuse(`the file's secrets no longer include "${INITIAL_KID}", the one apiSecret gives: leave out apiSecret`);
    else if (initial.value !== undefined && initial.value !== apiSecret) {
      refuse(`the file keeps the secret "${INITIAL_KID}" the emulator generated, and apiSecret is another: leave out apiSecret`);
    }
  }
  const secrets: StoredSecret[] = list.map((s) => {
    const value = s.value ?? (s.kid === INITIAL_KID ? apiSecret : undefined);
    if (value === undefined && s.state !== 'retired') {
      refuse(`the file's ${s.state} secret "${s.kid}" was given as apiSecret, which is never written: pass the same apiSecret again`);
    }
    return stored(s.kid, value, s.value !== undefined, s.state, 0, { createdAt: s.created_at, promotedAt: s.promoted_at, retiredAt: s.retired_at });
  });
  return new AppSecrets(secrets);
}

/**
 * Loads the data file into `state`, the secrets with `apiSecret` (see `secretsFromFile`). A
 * missing file is an empty state; a file that is not valid JSON of the expected shape is refused
 * (never overwritten), naming the file and the field.
 */
export function loadDataFile(file: string, state: EmulatorState, apiSecret?: string): void {
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
  const { app, users, session_tokens, secrets } = parsed.data;
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
  // A file from before secret rotation: its secrets are the ones the emulator starts with, written at start.
  if (secrets) state.secrets = secretsFromFile(file, secrets, apiSecret);
  else state.dirty = true;
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
    secrets: state.secrets.all.map((s) => ({
      kid: s.kid,
      state: s.state,
      created_at: s.createdAt,
      promoted_at: s.promotedAt,
      retired_at: s.retiredAt,
      ...(s.generated && s.value !== undefined ? { value: s.value } : {}),
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
