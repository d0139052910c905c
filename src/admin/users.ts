import { z } from 'zod';
import { TO_ISO_STRING_PATTERN, USER_ID_PATTERN, refuseProtoKeys, shapeError, userIdSchema } from '../schemas/common';
import { ArgumentError } from '../errors';
import { type RequestOptions, type Transport, type WriteOptions, validateRequestOptions, validateWriteOptions } from '../http/transport';
import { parseArgument, requestOptionsShape, validateUserId } from '../schemas/validate';
import { adminEndpoints } from '../schemas/endpoints';
import { readUserCutoffs } from '../http/decoders';
import type { MintClock } from './clock';
import {
  MAX_USERS_PER_PAGE,
  MAX_USERS_PER_REQUEST,
  ROLES,
  SET_REFUSED_FIELDS,
  UNSET_REFUSED_FIELDS,
  type User,
  type UserInput,
  type UserPartialUpdate,
  userInputSchema,
  userPartialUpdateSchema,
} from '../schemas/users';

/**
 * What the user routes answer: every user written, by id.
 *
 * @example
 * ```ts
 * import type { UsersResult } from 'tokenkit';
 * const result: UsersResult = await client.upsertUsers([{ id: 'carol', name: 'Carol' }]);
 * console.log(result.users['carol']?.created_at instanceof Date); // true
 * ```
 */
export interface UsersResult {
  /** Every user written, by id, as the platform stored it. */
  users: Record<string, User>;
}

/**
 * What `updateUsersPartial` takes: up to any number of `{ id, set?, unset? }`, sent 100 at a time.
 *
 * @example
 * ```ts
 * import type { UpdateUsersPartialInput } from 'tokenkit';
 * const input: UpdateUsersPartialInput = { users: [{ id: 'alice', set: { nickname: 'Al' } }, { id: 'bob', unset: ['nickname'] }] };
 * await client.updateUsersPartial(input);
 * ```
 */
export interface UpdateUsersPartialInput {
  /** The updates, one per user id (an id may appear once). */
  users: UserPartialUpdate[];
}

function uniqueIds(users: ReadonlyArray<{ id: string }>, ctx: z.core.$RefinementCtx<ReadonlyArray<{ id: string }>>): void {
  const seen = new Map<string, number>();
  users.forEach((u, i) => {
    const first = seen.get(u.id);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicates users.${first}.id ("${u.id}")` });
    else seen.set(u.id, i);
  });
}

// The whole list is checked before the first batch is sent, ids unique across batches too: a
// call either sends everything or nothing.
const listOf = <T extends z.ZodType<{ id: string }>>(item: T) =>
  z.array(item, { error: 'expected an array of users' }).min(1, { error: 'must hold at least one user' }).superRefine(uniqueIds);
const partialList = listOf(userPartialUpdateSchema);
const upsertList = listOf(userInputSchema);
const partialInputSchema = z.strictObject({ users: z.unknown() });

/** Encodes a whole list (Dates to wire strings), naming the field at fault; nothing is sent. */
function encodeList<S extends z.ZodType>(schema: S, users: unknown, what: string): unknown[] {
  const encoded = z.safeEncode(schema, users as z.output<S>);
  if (!encoded.success) throw ArgumentError.fromZod(what, encoded.error, 'users');
  return encoded.data as unknown[];
}

const SET_KEYS = new Set(['name', 'role', 'revoke_tokens_issued_before']);

/** The last cutoff {@link fastSet} encoded, and its wire form. */
let lastCutoff = { ms: Number.NaN, wire: '' };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isJsonScalar = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** `set` as `userSetSchema` encodes it (its fields first, then the custom ones), or undefined where zod must have its say. */
function fastSet(set: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if ('name' in set) {
    const name = set['name'];
    if (name !== undefined && (typeof name !== 'string' || name.length > 1024)) return undefined;
    out['name'] = name;
  }
  if ('role' in set) {
    const role = set['role'];
    if (role !== undefined && !ROLES.has(role)) return undefined;
    out['role'] = role;
  }
  if ('revoke_tokens_issued_before' in set) {
    const cutoff = set['revoke_tokens_issued_before'];
    if (cutoff === undefined || cutoff === null) out['revoke_tokens_issued_before'] = cutoff;
    else {
      if (!(cutoff instanceof Date)) return undefined;
      const ms = cutoff.getTime();
      if (Number.isNaN(ms)) return undefined;
      // One cutoff is mostly set on every user of a list: its wire form is worked out once.
      if (ms !== lastCutoff.ms) lastCutoff = { ms, wire: cutoff.toISOString() };
      if (!TO_ISO_STRING_PATTERN.test(lastCutoff.wire)) return undefined; // a year past 9999: zod says what is wrong
      out['revoke_tokens_issued_before'] = lastCutoff.wire;
    }
  }
  for (const key in set) {
    if (SET_KEYS.has(key)) continue;
    // Custom fields: scalars here; anything else (arrays, objects, bad values) goes through zod.
    if (key === '__proto__' || SET_REFUSED_FIELDS.has(key) || !Object.prototype.hasOwnProperty.call(set, key)) return undefined;
    const v = set[key];
    if (v !== undefined && !isJsonScalar(v)) return undefined;
    out[key] = v;
  }
  return out;
}

/**
 * A `PATCH /v1/users` list as `partialList` encodes it, checked by the same rules, for the common
 * shapes (`set` with scalar fields, `unset` of custom fields): the same wire value without a zod
 * pass (a revocation of 100 users spent most of its CPU there). Undefined for anything else, which
 * then goes through zod, with its messages.
 */
export function fastPartialList(users: unknown): unknown[] | undefined {
  if (!Array.isArray(users) || users.length === 0) return undefined;
  const seen = new Set<string>();
  const out: unknown[] = new Array<unknown>(users.length);
  for (let i = 0; i < users.length; i++) {
    const u: unknown = users[i];
    if (!isPlainObject(u) || Object.getPrototypeOf(u) !== Object.prototype) return undefined;
    for (const key in u) if (key !== 'id' && key !== 'set' && key !== 'unset') return undefined;
    const id = u['id'];
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id) || seen.has(id)) return undefined;
    seen.add(id);
    const entry: Record<string, unknown> = { id };
    const set = u['set'];
    let wireSet: Record<string, unknown> | undefined;
    if ('set' in u) {
      if (set !== undefined) {
        if (!isPlainObject(set) || Object.getPrototypeOf(set) !== Object.prototype) return undefined;
        wireSet = fastSet(set);
        if (wireSet === undefined) return undefined;
      }
      entry['set'] = wireSet;
    }
    const unset = u['unset'];
    if ('unset' in u) {
      if (unset !== undefined) {
        if (!Array.isArray(unset)) return undefined;
        for (const f of unset) if (typeof f !== 'string' || UNSET_REFUSED_FIELDS.has(f) || (set !== undefined && Object.prototype.hasOwnProperty.call(set, f))) return undefined;
        entry['unset'] = [...(unset as string[])];
      } else entry['unset'] = undefined;
    }
    if (!set && !unset) return undefined;
    out[i] = entry;
  }
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `GET /v1/users/{id}`. */
export async function getUser(http: Transport, id: string, options?: RequestOptions): Promise<User> {
  const userId = validateUserId(id);
  const opts = validateRequestOptions(options);
  const res = await http.call(adminEndpoints.getUser, { signal: opts.signal, timeoutMs: opts.timeoutMs, params: { id: userId } });
  return res.user;
}

/**
 * Sends a validated, wire-encoded list in batches of 100, one after another, and merges the
 * answers. Each batch is all or nothing on the platform; a failing batch rejects the call, and
 * the batches before it stay applied.
 */
async function sendBatches(
  http: Transport,
  endpoint: typeof adminEndpoints.upsertUsers | typeof adminEndpoints.updateUsersPartial,
  wireUsers: unknown[],
  options: WriteOptions,
): Promise<UsersResult> {
  const { idempotencyKey } = options;
  const request: RequestOptions = { signal: options.signal, timeoutMs: options.timeoutMs };
  const prepared = chunks(wireUsers, MAX_USERS_PER_REQUEST).map((batch) => http.prepareEncoded(endpoint, endpoint.path, { users: batch }, idempotencyKey));
  // Entries, then Object.fromEntries: Object.assign would set the prototype for the valid user id
  // "__proto__" instead of copying that user (hostile input never reaches an object's prototype).
  const entries: Array<[string, User]> = [];
  for (const batch of prepared) {
    const res = await http.send(batch, request);
    for (const entry of Object.entries(res.users)) entries.push(entry);
  }
  return { users: Object.fromEntries(entries) };
}

/** `POST /v1/users` (upsert), 100 users per request; `idempotencyKey` up to 100 users. */
export async function upsertUsers(http: Transport, users: UserInput[], options?: WriteOptions): Promise<UsersResult> {
  refuseProtoKeys(users, 'upsertUsers users', 'users');
  const wire = encodeList(upsertList, users, 'upsertUsers users');
  const opts = validateWriteOptions(options, 'upsertUsers options');
  checkOneRequest(opts, wire.length, 'upsertUsers');
  return await sendBatches(http, adminEndpoints.upsertUsers, wire, opts);
}

/** A caller's `idempotencyKey` names one request: refused where the users need more than one. */
function checkOneRequest(opts: WriteOptions, users: number, what: string): void {
  if (opts.idempotencyKey === undefined || users <= MAX_USERS_PER_REQUEST) return;
  const requests = Math.ceil(users / MAX_USERS_PER_REQUEST);
  throw new ArgumentError(
    `${what}: idempotencyKey names one request, but ${users} users go in ${requests} requests of at most ${MAX_USERS_PER_REQUEST}, ` +
      `and each needs a key of its own. Call ${what} once per ${MAX_USERS_PER_REQUEST} users, each with its own key, or leave out idempotencyKey`,
    [{ path: 'idempotencyKey', message: `applies to one request: at most ${MAX_USERS_PER_REQUEST} users` }],
  );
}

/**
 * `PATCH /v1/users`, 100 users per request; answers every user. `what` names the public method in
 * errors (revokeUserTokens and restoreUserTokens come through here).
 */
export async function updateUsersPartial(
  http: Transport,
  clock: MintClock,
  input: UpdateUsersPartialInput,
  options?: WriteOptions,
  what = 'updateUsersPartial',
): Promise<UsersResult> {
  const { wire, opts } = preparePartial(clock, input, options, what);
  const result = await sendBatches(http, adminEndpoints.updateUsersPartial, wire, opts);
  for (const user of Object.values(result.users)) observeCutoff(clock, user.revoke_tokens_issued_before);
  return result;
}

/** Checks and encodes an `updateUsersPartial` input and its options (nothing is sent). */
function preparePartial(clock: MintClock, input: UpdateUsersPartialInput, options: WriteOptions | undefined, what: string): { wire: unknown[]; opts: WriteOptions } {
  // `{ users }` of the common shapes, without a schema pass (no `__proto__` key gets through it);
  // anything else is checked, and named, by the schemas.
  const plain = typeof input === 'object' && input !== null && Object.getPrototypeOf(input) === Object.prototype && Object.keys(input).length === 1 && 'users' in input;
  let wire = plain ? fastPartialList(input.users) : undefined;
  if (wire === undefined) {
    refuseProtoKeys(input, `${what} input`);
    const shape = parseArgument(partialInputSchema, input, `${what} input`);
    wire = encodeList(partialList, shape.users, `${what} input`);
  }
  raiseWireCutoffs(clock, wire);
  return { wire, opts: checkOptions(options, wire.length, what) };
}

/**
 * Sets (or clears, with `null`) the cutoff of each user, as {@link setUserCutoff} does (the same
 * checks, the same bytes, the same `what` in errors), and reads only the cutoffs of the answers,
 * which the clock notes: for callers that use nothing else of them (the CLI's batch runs).
 * `checked`: the caller has checked that each id is a valid user id, given once (the CLI, for the
 * lines it read and took into a batch itself): they are not checked again; the bytes are the same.
 */
export async function writeUserCutoffs(
  http: Transport,
  clock: MintClock,
  job: { ids: string[]; cutoff: Date | null; options?: WriteOptions | undefined; what: string; checked?: boolean | undefined },
): Promise<void> {
  const plain = plainCutoffList(clock, job.ids, job.cutoff, job.checked === true);
  const { wire, opts } = plain === undefined ? preparePartial(clock, cutoffInput(job.ids, job.cutoff), job.options, job.what) : { wire: plain, opts: checkOptions(job.options, plain.length, job.what) };
  const endpoint = adminEndpoints.updateUsersPartial;
  const { idempotencyKey, ...request } = opts;
  for (const batch of chunks(wire, MAX_USERS_PER_REQUEST)) {
    const cutoffs = await http.send(http.prepareEncoded(endpoint, endpoint.path, { users: batch }, idempotencyKey), request, readUserCutoffs);
    for (const ms of cutoffs) if (ms !== null) clock.observeCutoff(ms);
  }
}

/**
 * The wire list that sets `cutoff` on each of `ids`, built at once where the ids are valid and
 * distinct and the cutoff a valid Date (a batch of the CLI always is): the list
 * {@link preparePartial} gives for `cutoffInput(ids, cutoff)`, the cutoff raised by the client's
 * rule as there, without the objects of the general path. Undefined for anything else, which the
 * general path then checks and names.
 */
function plainCutoffList(clock: MintClock, ids: unknown, cutoff: Date | null, checked: boolean): unknown[] | undefined {
  if (!Array.isArray(ids) || ids.length === 0) return undefined;
  if (!checked && !validDistinctIds(ids)) return undefined;
  let wire: string | null = null;
  if (cutoff !== null) {
    if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) return undefined;
    const given = cutoff.toISOString();
    if (!TO_ISO_STRING_PATTERN.test(given)) return undefined; // a year past 9999: zod says what is wrong
    wire = new Date(clock.givenCutoff(Date.parse(given))).toISOString();
  }
  return (ids as string[]).map((id) => ({ id, set: { revoke_tokens_issued_before: wire } }));
}

/** Whether each of `ids` is a valid user id, given once. */
function validDistinctIds(ids: readonly unknown[]): boolean {
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id) || seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

/** Checks the options of a write of `users` users (nothing is sent). */
function checkOptions(options: WriteOptions | undefined, users: number, what: string): WriteOptions {
  const opts = validateWriteOptions(options, `${what} options`);
  checkOneRequest(opts, users, what);
  return opts;
}

/**
 * Applies the client's rule for a given cutoff ({@link MintClock.givenCutoff}) to each
 * `set.revoke_tokens_issued_before` of a wire-encoded `PATCH /v1/users` list (the list is the
 * encoder's copy: the caller's input is not changed). `new Date()` right after a mint then
 * revokes that token, even where its stamp ran a millisecond ahead of the clock.
 */
function raiseWireCutoffs(clock: MintClock, wire: unknown[]): void {
  // A list mostly sets one cutoff on every user: each distinct one is worked out once.
  let lastGiven: string | undefined;
  let lastRaised = '';
  for (const entry of wire) {
    const set = (entry as { set?: Record<string, unknown> }).set;
    const given = set?.['revoke_tokens_issued_before'];
    if (!set || typeof given !== 'string') continue;
    if (given !== lastGiven) {
      lastGiven = given;
      lastRaised = new Date(clock.givenCutoff(Date.parse(given))).toISOString();
    }
    set['revoke_tokens_issued_before'] = lastRaised;
  }
}

/** Notes a cutoff the platform answered, so that this client's next token is stamped after it. */
export function observeCutoff(clock: MintClock, cutoff: Date | null | undefined): void {
  if (cutoff) clock.observeCutoff(cutoff.getTime());
}

/** One user id, or a non-empty array of them, validated; the field is named in the error. */
export function userIdList(userIdOrIds: unknown, field = 'userIdOrIds'): string[] {
  if (typeof userIdOrIds === 'string') return [validateUserId(userIdOrIds, field)];
  if (!Array.isArray(userIdOrIds) || userIdOrIds.length === 0) {
    throw new ArgumentError(`Invalid ${field}: expected a user id or a non-empty array of user ids`, [
      { path: field, message: 'expected a user id or a non-empty array of user ids' },
    ]);
  }
  return userIdOrIds.map((id, i) => validateUserId(id, `${field}.${i}`));
}

/** Validates a cutoff: a valid `Date`. */
export function validateCutoff(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ArgumentError(`Invalid ${field}: expected a valid Date`, [{ path: field, message: 'expected a valid Date' }]);
  }
  return value;
}

/** Sets (or clears, with `null`) `revoke_tokens_issued_before` on each user, 100 per request. */
export async function setUserCutoff(
  http: Transport,
  clock: MintClock,
  ids: string[],
  cutoff: Date | null,
  options: WriteOptions | undefined,
  what: string,
): Promise<UsersResult> {
  return await updateUsersPartial(http, clock, cutoffInput(ids, cutoff), options, what);
}

/** The `updateUsersPartial` input that sets `cutoff` on each user. */
function cutoffInput(ids: string[], cutoff: Date | null): UpdateUsersPartialInput {
  return { users: ids.map((id) => ({ id, set: { revoke_tokens_issued_before: cutoff } })) };
}

/**
 * What `queryUsers` takes: `{ ids }` (1 to 100 user ids), or a page, `{ limit?, cursor? }`
 * (`limit` 1 to 1000, default 100; `cursor`: the `next` of the page before).
 *
 * @example
 * ```ts
 * import type { QueryUsersInput } from 'tokenkit';
 * const byIds: QueryUsersInput = { ids: ['alice', 'bob'] };
 * const firstPage: QueryUsersInput = { limit: 500 };
 * await client.queryUsers(byIds);
 * await client.queryUsers(firstPage);
 * ```
 */
export type QueryUsersInput =
  | {
      /** 1 to 100 user ids: the users that exist are answered, in this order. */
      ids: string[];
    }
  | {
      /** Users per page, 1 to 1000 (default 100). */
      limit?: number | undefined;
      /** The `next` of the page before; left out for the first page. */
      cursor?: string | undefined;
    };

/**
 * What `queryUsers` resolves to: the users (by `ids`: those that exist, in the order asked; by
 * page: in id order), and `next`, the cursor of the next page, or `null` after the last one.
 *
 * @example
 * ```ts
 * import type { UsersPage } from 'tokenkit';
 * const page: UsersPage = await client.queryUsers({ ids: ['alice', 'nobody'] });
 * console.log(page.users.map((u) => u.id), page.next); // [ 'alice' ] null: nobody does not exist
 * ```
 */
export interface UsersPage {
  /** The users, each with its cutoff (`revoke_tokens_issued_before`) and `requires_token`. */
  users: User[];
  /** The cursor of the next page, or `null`. */
  next: string | null;
}

const byIdsSchema = z.strictObject(
  {
    ids: z
      .array(userIdSchema, { error: 'expected an array of user ids' })
      .min(1, { error: 'must hold at least one id' })
      .max(MAX_USERS_PER_REQUEST, { error: `must hold at most ${MAX_USERS_PER_REQUEST} ids (use listUsers for every user)` }),
  },
  { error: (iss) => shapeError(iss, '{ ids } (limit and cursor do not go with ids)') },
);
const byPageSchema = z.strictObject(
  {
    limit: z.number().int().min(1).max(MAX_USERS_PER_PAGE, { error: `must be at most ${MAX_USERS_PER_PAGE}` }).optional(),
    cursor: z.string().min(1, { error: 'must not be empty' }).max(1024).optional(),
  },
  { error: (iss) => shapeError(iss, '{ ids } or { limit?, cursor? }') },
);

/** `GET /v1/users`, by ids or by page. */
export async function queryUsers(http: Transport, input: QueryUsersInput, options?: RequestOptions): Promise<UsersPage> {
  const byIds = typeof input === 'object' && input !== null && 'ids' in input;
  const q = parseArgument(byIds ? byIdsSchema : byPageSchema, input, 'queryUsers input');
  const opts = validateRequestOptions(options);
  const query: Record<string, string> = {};
  if ('ids' in q) query['ids'] = q.ids.join(',');
  else {
    if (q.limit !== undefined) query['limit'] = String(q.limit);
    if (q.cursor !== undefined) query['cursor'] = q.cursor;
  }
  const res = await http.send(http.prepare(adminEndpoints.queryUsers, { query }, 'queryUsers input'), opts);
  return { users: res.users, next: res.next };
}

/**
 * What `listUsers` takes: `limit`, users per request (1 to 1000, default 100), and the options of
 * every request (`signal` stops the listing between pages, or in one).
 *
 * @example
 * ```ts
 * import type { ListUsersOptions } from 'tokenkit';
 * const options: ListUsersOptions = { limit: 1000, signal: AbortSignal.timeout(60_000) };
 * for await (const user of client.listUsers(options)) console.log(user.id);
 * ```
 */
export interface ListUsersOptions extends RequestOptions {
  /** Users per request, 1 to 1000 (default 100). */
  limit?: number | undefined;
}

const listOptionsSchema = z.strictObject({
  limit: z.number().int().min(1).max(MAX_USERS_PER_PAGE, { error: `must be at most ${MAX_USERS_PER_PAGE}` }).optional(),
  ...requestOptionsShape,
});

/** Checks `listUsers`' options (an {@link ArgumentError} names the field), before any request. */
export function validateListUsersOptions(options: unknown): ListUsersOptions {
  return parseArgument(listOptionsSchema, options === undefined ? {} : options, 'listUsers options');
}

/**
 * Every user, page by page, in id order; each user once, also where users are added meanwhile
 * (the pages go by id, not by position). Takes options checked by {@link validateListUsersOptions}.
 */
export async function* listUsers(http: Transport, options: ListUsersOptions): AsyncGenerator<User, void, undefined> {
  const { limit, ...request } = options;
  let cursor: string | undefined;
  do {
    const page = await queryUsers(http, cursor === undefined ? { limit } : { limit, cursor }, request);
    yield* page.users;
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
}
