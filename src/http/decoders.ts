// Hand-written decoders for the answers on the hot paths (a user, users by id, a page of users),
// and a light reader for the answers a bulk revocation needs only the cutoffs of.
//
// A fast decoder checks the same rules as the zod schema it stands for and builds the same value
// (the same keys, in the same order, Dates for the dates, unknown fields copied). It answers
// `undefined` for anything it does not accept, and the caller then decodes with the schema, so an
// answer that breaks the contract gets zod's issues, word for word. zod's decode of a user costs a
// few microseconds and a dozen objects; this costs the Dates.
import { z } from 'zod';
import type { ArgumentIssue } from '../errors';
import { USER_ID_PATTERN, isoDateSchema } from '../schemas/common';
import { ROLES, type User, queryUsersResponseSchema, userResponseSchema, usersResponseSchema } from '../schemas/users';

type Json = Record<string, unknown>;

/** zod's own pattern for the wire dates (RFC 3339 with an offset), read off the schema, so both accept the same strings. */
const ISO_DATE: RegExp | undefined = (isoDateSchema.in as unknown as { _zod?: { def?: { pattern?: unknown } } })._zod?.def?.pattern instanceof RegExp
  ? ((isoDateSchema.in as unknown as { _zod: { def: { pattern: RegExp } } })._zod.def.pattern)
  : undefined;

const USER_KEYS = new Set(['id', 'name', 'role', 'created_at', 'updated_at', 'revoke_tokens_issued_before', 'requires_token']);

/** zod's test for an object: not null, not an array. */
function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A wire date in ms since the epoch, or undefined where the schema might refuse it. */
function wireMs(v: unknown): number | undefined {
  if (typeof v !== 'string' || ISO_DATE === undefined || !ISO_DATE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A wire date as a valid Date (see {@link wireMs}). */
function wireDate(v: unknown): Date | undefined {
  const ms = wireMs(v);
  return ms === undefined ? undefined : new Date(ms);
}

/** Copies the keys a loose object does not declare, as zod does (never `__proto__`). */
function copyUnknown(from: Json, to: Json, known: ReadonlySet<string>): void {
  for (const key in from) {
    if (known.has(key) || key === '__proto__') continue;
    to[key] = from[key];
  }
}

/** A user as `userSchema` decodes it, or undefined where the schema must have its say. */
export function fastUser(w: unknown): User | undefined {
  if (!isObject(w)) return undefined;
  const id = w['id'];
  if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return undefined;
  const hasName = 'name' in w;
  const name = w['name'];
  if (hasName && name !== undefined && typeof name !== 'string') return undefined;
  const role = w['role'];
  if (!ROLES.has(role)) return undefined;
  const created = wireDate(w['created_at']);
  const updated = wireDate(w['updated_at']);
  if (created === undefined || updated === undefined) return undefined;
  const rawCutoff = w['revoke_tokens_issued_before'];
  let cutoff: Date | null = null;
  if (rawCutoff !== null) {
    const d = wireDate(rawCutoff);
    if (d === undefined) return undefined;
    cutoff = d;
  }
  const requiresToken = w['requires_token'];
  if (typeof requiresToken !== 'boolean') return undefined;
  const out: Json = { id };
  if (hasName) out['name'] = name;
  out['role'] = role;
  out['created_at'] = created;
  out['updated_at'] = updated;
  out['revoke_tokens_issued_before'] = cutoff;
  out['requires_token'] = requiresToken;
  copyUnknown(w, out, USER_KEYS);
  return out as User;
}

const USER_RESPONSE_KEYS = new Set(['user']);
const USERS_RESPONSE_KEYS = new Set(['users']);
const PAGE_KEYS = new Set(['users', 'next']);

/** `{ user }`. */
function fastUserResponse(w: unknown): z.output<typeof userResponseSchema> | undefined {
  if (!isObject(w)) return undefined;
  const user = fastUser(w['user']);
  if (user === undefined) return undefined;
  const out: Json = { user };
  copyUnknown(w, out, USER_RESPONSE_KEYS);
  return out as z.output<typeof userResponseSchema>;
}

/** `{ users: { [id]: user } }`: every id kept as an own key (`__proto__` too), as `usersByIdSchema` does. */
function fastUsersResponse(w: unknown): z.output<typeof usersResponseSchema> | undefined {
  if (!isObject(w)) return undefined;
  const byId = w['users'];
  if (!isObject(byId)) return undefined;
  const entries: Array<[string, User]> = [];
  for (const [id, raw] of Object.entries(byId)) {
    const user = fastUser(raw);
    if (user === undefined) return undefined;
    entries.push([id, user]);
  }
  const out: Json = { users: Object.fromEntries(entries) };
  copyUnknown(w, out, USERS_RESPONSE_KEYS);
  return out as z.output<typeof usersResponseSchema>;
}

/** `{ users: [...], next }`. */
function fastUsersPage(w: unknown): z.output<typeof queryUsersResponseSchema> | undefined {
  if (!isObject(w)) return undefined;
  const list = w['users'];
  const next = w['next'];
  if (!Array.isArray(list) || !('next' in w) || (next !== null && typeof next !== 'string')) return undefined;
  const users: User[] = new Array<User>(list.length);
  for (let i = 0; i < list.length; i++) {
    const user = fastUser(list[i]);
    if (user === undefined) return undefined;
    users[i] = user;
  }
  const out: Json = { users, next };
  copyUnknown(w, out, PAGE_KEYS);
  return out as z.output<typeof queryUsersResponseSchema>;
}

/** The fast decoder of a response schema, where it has one. */
export const FAST_DECODERS: ReadonlyMap<z.ZodType, (json: unknown) => unknown> = new Map<z.ZodType, (json: unknown) => unknown>([
  [userResponseSchema, fastUserResponse],
  [usersResponseSchema, fastUsersResponse],
  [queryUsersResponseSchema, fastUsersPage],
]);

/** What a {@link ResponseReader} answers: the value, or what in the body broke the contract. */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; issues: ArgumentIssue[] };

/**
 * Reads the part of a 2xx body a caller uses, instead of decoding all of it with the endpoint's
 * schema (see `Transport.send`). It checks what it reads by the same rules; a body it cannot read
 * is a `ResponseShapeError` with its issues.
 */
export type ResponseReader<T> = (json: unknown) => ReadResult<T>;

/**
 * The cutoffs of a `PATCH /v1/users` answer (`{ users: { [id]: { revoke_tokens_issued_before } } }`),
 * in ms (`null` where a user has none), and nothing else: what a bulk revocation needs of it (the
 * platform may raise a cutoff it was given, and the mint clock must see the raised one).
 */
export const readUserCutoffs: ResponseReader<Array<number | null>> = (json) => {
  if (!isObject(json)) return { ok: false, issues: [{ path: '', message: 'expected an object' }] };
  const byId = json['users'];
  if (!isObject(byId)) return { ok: false, issues: [{ path: 'users', message: 'expected an object of users by id' }] };
  const cutoffs: Array<number | null> = [];
  const issues: ArgumentIssue[] = [];
  for (const id in byId) {
    if (!Object.prototype.hasOwnProperty.call(byId, id)) continue;
    const user = byId[id];
    if (!isObject(user)) {
      issues.push({ path: `users.${id}`, message: 'expected an object' });
      continue;
    }
    const raw = user['revoke_tokens_issued_before'];
    if (raw === null) {
      cutoffs.push(null);
      continue;
    }
    const ms = wireMs(raw);
    if (ms === undefined) issues.push({ path: `users.${id}.revoke_tokens_issued_before`, message: 'expected an RFC 3339 date string such as 2026-01-01T00:00:00.000Z, or null' });
    else cutoffs.push(ms);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: cutoffs };
};
