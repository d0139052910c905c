import { z } from 'zod';
import { epochMsSchema, isoDateSchema, userIdSchema } from './common';

export const roleSchema = z.enum(['user', 'guest', 'admin'], { error: 'expected one of "user", "guest", "admin"' });
/** The roles of {@link roleSchema}, as a set (for the hand-written checks beside the schemas). */
export const ROLES: ReadonlySet<unknown> = new Set<unknown>(roleSchema.options);
/**
 * A user's role: `user` (the default), `guest` (created by the guest route, may write its own name
 * only) or `admin`.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { Role } from 'tokenkit';
 * const role: Role = 'admin';
 * await client.upsertUsers([{ id: 'carol', role }]);
 * ```
 */
export type Role = z.infer<typeof roleSchema>;

/** A user as the platform returns it: the system fields plus any custom fields. */
export const userSchema = z.looseObject({
  /** The user's id: 1 to 128 characters from `[A-Za-z0-9@_\-.]`. */
  id: userIdSchema,
  /** The display name, if any. */
  name: z.string().optional(),
  /** The user's role. */
  role: roleSchema,
  /** When the platform created the user. */
  created_at: isoDateSchema,
  /** When a field of the user last changed. */
  updated_at: isoDateSchema,
  /** The user's revocation cutoff: tokens issued before it are refused (44); `null`: none. */
  revoke_tokens_issued_before: isoDateSchema.nullable(),
  /** True for good once the platform issued the user a token: the user can no longer connect without one. */
  requires_token: z.boolean(),
});
/**
 * A user, with dates as `Date` and custom fields as they were stored.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { User } from 'tokenkit';
 * const alice: User = await client.getUser('alice');
 * console.log(alice.id, alice.role, alice.requires_token); // alice user false
 * ```
 */
export type User = z.output<typeof userSchema>;

/** Fields only the platform writes. */
export const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'requires_token'] as const;

const NAME = z.string({ error: 'expected a string' }).max(1024, { error: 'must be at most 1024 characters' });

/** Whether `v` is a JSON value that JSON.stringify writes as it is (no cycle, no NaN, no Date, no function). */
function isJson(v: unknown, seen: Set<object>): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object' || seen.has(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return false;
  seen.add(v);
  const ok = Array.isArray(v) ? v.every((x) => isJson(x, seen)) : Object.values(v).every((x) => isJson(x, seen));
  seen.delete(v);
  return ok;
}

/** Whether `v` is a JSON value that JSON.stringify writes as it is (the check of {@link customValuesAreJson}). */
export function isJsonValue(v: unknown): boolean {
  return isJson(v, new Set());
}

/**
 * Custom fields must hold JSON values (undefined leaves a field out). Without this a BigInt or a
 * cycle made JSON.stringify throw a TypeError after validation, and NaN, Infinity, a Date or a
 * function were changed or dropped without a word (bad input is refused, never silently changed). A refinement rather than a
 * `catchall`, so the types of the known fields (a `Date` cutoff) stay as they are.
 */
export function customValuesAreJson(known: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || known.includes(k) || isJsonValue(v)) continue;
      ctx.addIssue({ code: 'custom', path: [k], message: 'expected a JSON value (string, finite number, boolean, null, array or plain object)' });
    }
  };
}

function refuseFields(fields: readonly string[], hint: string) {
  return (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => {
    for (const f of fields) {
      if (Object.prototype.hasOwnProperty.call(value, f)) {
        ctx.addIssue({ code: 'custom', path: [f], message: `may not be written here${hint}` });
      }
    }
  };
}

/** One user to create or replace (`POST /v1/users`): id, name, role and custom fields. */
export const userInputSchema = z
  .looseObject({
    /** The user's id. */
    id: userIdSchema,
    /** The display name (at most 1024 characters). */
    name: NAME.optional(),
    /** The role; an existing user keeps its role when this is left out. */
    role: roleSchema.optional(),
  })
  .superRefine(customValuesAreJson(['id', 'name', 'role']))
  .superRefine(
    refuseFields(
      ['created_at', 'updated_at', 'requires_token', 'revoke_tokens_issued_before'],
      ' (set revoke_tokens_issued_before with updateUsersPartial)',
    ),
  );
/**
 * One user for `upsertUsers`: `id`, `name`, `role` and any custom fields (JSON values). It replaces
 * the user's name and custom fields; the platform's fields (`created_at`, `requires_token`, the
 * revocation cutoff) are refused here.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { UserInput } from 'tokenkit';
 * const carol: UserInput = { id: 'carol', name: 'Carol', team: 'blue' }; // custom fields are any JSON
 * await client.upsertUsers([carol]);
 * ```
 */
export type UserInput = z.input<typeof userInputSchema>;

function uniqueIds(users: ReadonlyArray<{ id: string }>, ctx: z.core.$RefinementCtx<ReadonlyArray<{ id: string }>>) {
  const seen = new Map<string, number>();
  users.forEach((u, i) => {
    const first = seen.get(u.id);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicates users.${first}.id ("${u.id}")` });
    } else seen.set(u.id, i);
  });
}

/** The most users one request may carry. */
export const MAX_USERS_PER_REQUEST = 100;

const usersArray = <T extends z.ZodType<{ id: string }>>(item: T) =>
  z
    .array(item, { error: 'expected an array of users' })
    .min(1, { error: 'must hold at least one user' })
    .max(MAX_USERS_PER_REQUEST, { error: `must hold at most ${MAX_USERS_PER_REQUEST} users` })
    .superRefine(uniqueIds);

export const upsertUsersRequestSchema = z.strictObject({ users: usersArray(userInputSchema) });

/** The fields `set` may write: name, role, `revoke_tokens_issued_before` (a date or null), custom fields. */
export const userSetSchema = z
  .looseObject({
    /** A new display name. */
    name: NAME.optional(),
    /** A new role. */
    role: roleSchema.optional(),
    /** A revocation cutoff (a `Date`), or `null` to restore every token it revoked. */
    revoke_tokens_issued_before: isoDateSchema.nullable().optional(),
  })
  .superRefine(customValuesAreJson(['name', 'role', 'revoke_tokens_issued_before']))
  .superRefine(refuseFields(SYSTEM_FIELDS, ' (the platform sets it)'));

/** The fields `set` refuses (the platform sets them), for the hand-written checks beside the schemas. */
export const SET_REFUSED_FIELDS: ReadonlySet<string> = new Set<string>(SYSTEM_FIELDS);
/** The fields `unset` refuses: the platform's, the role, and the cutoff (set it to null instead). */
export const UNSET_REFUSED_FIELDS: ReadonlySet<string> = new Set<string>([...SYSTEM_FIELDS, 'role', 'revoke_tokens_issued_before']);

export const userUnsetSchema = z.array(
  z.string({ error: 'expected a field name' }).refine((f) => !UNSET_REFUSED_FIELDS.has(f), {
    error: (iss) =>
      `"${String(iss.input)}" may not be unset` +
      (iss.input === 'revoke_tokens_issued_before' ? ' (set it to null to undo a revocation)' : ''),
  }),
  { error: 'expected an array of field names' },
);

/** One entry of a partial update: `{ id, set?, unset? }`, at least one of the two. */
export const userPartialUpdateSchema = z
  .strictObject({
    /** The user to update. */
    id: userIdSchema,
    /** Fields to write: name, role, `revoke_tokens_issued_before`, custom fields. */
    set: userSetSchema.optional(),
    /** Custom fields (or `name`) to remove. */
    unset: userUnsetSchema.optional(),
  })
  .superRefine((u, ctx) => {
    if (!u.set && !u.unset) ctx.addIssue({ code: 'custom', path: [], message: 'give set, unset or both' });
    for (const f of u.unset ?? []) {
      if (u.set && Object.prototype.hasOwnProperty.call(u.set, f)) {
        ctx.addIssue({ code: 'custom', path: ['unset'], message: `"${f}" is both set and unset` });
      }
    }
  });
/**
 * What `updateUsersPartial` takes per user; `revoke_tokens_issued_before` is a `Date` or `null`.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { UserPartialUpdate } from 'tokenkit';
 * const update: UserPartialUpdate = { id: 'alice', set: { revoke_tokens_issued_before: null }, unset: ['nickname'] };
 * await client.updateUsersPartial({ users: [update] });
 * ```
 */
export type UserPartialUpdate = z.output<typeof userPartialUpdateSchema>;

export const partialUpdateRequestSchema = z.strictObject({ users: usersArray(userPartialUpdateSchema) });

type WireUser = z.input<typeof userSchema>;

/** Converts every user of an object keyed by id, keeping each id an own key; issues are pushed with their id. */
function mapUsers<From, To>(
  users: Record<string, From>,
  convert: (user: From) => { success: true; data: To } | { success: false; error: z.ZodError },
  payload: { issues: z.core.$ZodRawIssue[] },
): Record<string, To> {
  const entries: Array<[string, To]> = [];
  for (const [id, user] of Object.entries(users)) {
    const r = convert(user);
    if (r.success) entries.push([id, r.data]);
    else for (const issue of r.error.issues) payload.issues.push({ code: 'custom', message: issue.message, path: [id, ...issue.path], input: user });
  }
  // Object.fromEntries defines own properties, "__proto__" included: no prototype is touched.
  return Object.fromEntries(entries);
}

const objectById = <T>() =>
  z.custom<Record<string, T>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: 'expected an object of users by id' });

/**
 * Users by id (`{ users: { [id]: user } }`). Not `z.record`: zod leaves a `"__proto__"` key out of
 * a record (to keep the prototype safe), and `"__proto__"` is a valid user id: its user vanished
 * from the answer, and `users[id]` then read `Object.prototype` (an id never reaches an object's prototype). Every id is kept here,
 * as an own property.
 */
export const usersByIdSchema = z.codec(objectById<WireUser>(), objectById<User>(), {
  decode: (wire, payload) => mapUsers(wire, (u) => z.safeDecode(userSchema, u), payload),
  encode: (users, payload) => mapUsers(users, (u) => z.safeEncode(userSchema, u), payload),
});

export const usersResponseSchema = z.looseObject({ users: usersByIdSchema });
export const userResponseSchema = z.looseObject({ user: userSchema });

/** `PUT /v1/users/{id}`: replaces name and custom fields; may ask for a session token. */
export const putUserRequestSchema = z
  .looseObject({
    name: NAME.optional(),
    role: roleSchema.optional(),
    issue_session_token: z.literal(true, { error: 'expected true, or leave it out' }).optional(),
    session_token_expires_at: epochMsSchema.optional(),
  })
  .superRefine(customValuesAreJson(['name', 'role', 'issue_session_token', 'session_token_expires_at']))
  .superRefine(refuseFields([...SYSTEM_FIELDS, 'revoke_tokens_issued_before'], ' (the platform sets it)'))
  .superRefine((b, ctx) => {
    if (b.session_token_expires_at !== undefined && b.issue_session_token !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['session_token_expires_at'],
        message: 'only goes with issue_session_token: true',
      });
    }
  });

export const sessionTokenSchema = z.looseObject({ session_token: z.string().min(1), expires_at: epochMsSchema });

export const putUserResponseSchema = z.looseObject({
  user: userSchema,
  session_tokens: z.array(sessionTokenSchema),
});

/** The most users `GET /v1/users` answers per page (`limit`). */
export const MAX_USERS_PER_PAGE = 1000;
/** Users per page of `GET /v1/users` where `limit` is left out. */
export const DEFAULT_USERS_PER_PAGE = 100;

const idList = z
  .string({ error: 'expected user ids separated by commas' })
  .transform((s, ctx) => {
    const ids = s.split(',');
    ids.forEach((id, i) => {
      const r = userIdSchema.safeParse(id);
      if (!r.success) ctx.addIssue({ code: 'custom', path: [i], message: r.error.issues[0]?.message ?? 'not a user id' });
    });
    if (ids.length > MAX_USERS_PER_REQUEST) ctx.addIssue({ code: 'custom', message: `must hold at most ${MAX_USERS_PER_REQUEST} ids` });
    return ids;
  });

const wholeNumber = (min: number, max: number) =>
  z
    .string({ error: 'expected a whole number' })
    .regex(/^\d{1,7}$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

/**
 * The query of `GET /v1/users` (docs/platform-api.md, "Reading users back"): `ids` (comma-separated,
 * at most 100), or a page: `limit` (1 to 1000, default 100) and `cursor` (the `next` of the page
 * before). The two ways do not mix.
 */
export const queryUsersQuerySchema = z
  .strictObject(
    {
      ids: idList.optional(),
      limit: wholeNumber(1, MAX_USERS_PER_PAGE).optional(),
      cursor: z.string().min(1, { error: 'must not be empty' }).max(1024, { error: 'must be at most 1024 characters' }).optional(),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown parameter ${(iss.keys ?? []).map((k) => JSON.stringify(k)).join(', ')}: expected ids, or limit and cursor` : undefined) },
  )
  .superRefine((q, ctx) => {
    if (q.ids !== undefined && (q.limit !== undefined || q.cursor !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'ids does not go with limit or cursor' });
    }
  });

/**
 * What `GET /v1/users` answers. By `ids`: the users that exist, in the order asked (an id asked
 * twice answered once, an unknown id left out), `next: null`. By page: up to `limit` users in id
 * order (byte order), and `next`, the cursor of the next page, or `null` after the last one.
 */
export const queryUsersResponseSchema = z.looseObject({
  users: z.array(userSchema),
  next: z.string().nullable(),
});

/**
 * The error-body field of `PATCH /v1/users` refused with 404 (code 16): every id of the request
 * that names no user, so that a client can leave them out and send the rest in one more request.
 */
export const UNKNOWN_USER_IDS_FIELD = 'unknown_user_ids';
