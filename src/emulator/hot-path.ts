import { TO_ISO_STRING_PATTERN, USER_ID_PATTERN } from '../schemas/common';
import { type Endpoint, adminEndpoints, clientEndpoints } from '../schemas/endpoints';
import { MAX_USERS_PER_REQUEST, ROLES, SET_REFUSED_FIELDS, UNSET_REFUSED_FIELDS, type User, isJsonValue } from '../schemas/users';

// The hot routes' bodies and answers without zod. A profile of the emulator under connect load
// put a tenth of its CPU in zod's decoding of `{}` and encoding of one user (bench/README.md,
// "emulator"), and the bulk routes' answers (100 users each) made most of its garbage while a
// million users were created; decoding their bodies (100 users each, a revocation's cutoff on
// every one) was most of the emulator's CPU in a 100,000-id CLI run. A decoder here accepts only the plain, common shapes of a body and
// answers undefined for anything else, which the route's schema then decodes (so every refusal,
// its message and code, is the schema's); an encoder writes what the response schema's encoding
// writes, byte for byte (__tests__/emulator/hot-path.test.ts compares the two).

/** A route's shortcuts: `decode` a body (undefined: let the schema decide), `encode` an answer. */
export interface FastCodec {
  decode?: (body: unknown) => unknown;
  encode?: (output: unknown) => string;
}

/**
 * `toISOString`, with the last time written remembered: the users of one answer mostly share
 * their times (created by one request, changed and revoked by one), one field at a time.
 */
function isoWriter(): (d: Date) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (d) => {
    const ms = d.getTime();
    if (ms !== lastMs) {
      last = d.toISOString();
      lastMs = ms;
    }
    return last;
  };
}

const createdIso = isoWriter();
const updatedIso = isoWriter();
const cutoffIso = isoWriter();

/**
 * A user as `userSchema` encodes it: the schema's fields in its order (id, name, role, the
 * dates as ISO strings, requires_token), then the custom fields in the order stored.
 */
export function wireUser(user: User): Record<string, unknown> {
  const u = user as Record<string, unknown>;
  const out: Record<string, unknown> = { id: user.id };
  if (u['name'] !== undefined) out['name'] = u['name'];
  out['role'] = user.role;
  const created = createdIso(user.created_at);
  out['created_at'] = created;
  // A user never changed since created (most of them) has one time: written once.
  out['updated_at'] = user.updated_at.getTime() === user.created_at.getTime() ? created : updatedIso(user.updated_at);
  out['revoke_tokens_issued_before'] = user.revoke_tokens_issued_before === null ? null : cutoffIso(user.revoke_tokens_issued_before);
  out['requires_token'] = user.requires_token;
  for (const k of Object.keys(u)) {
    // A key "__proto__" is left out, as the schema leaves it out (no body may carry one anyway).
    if (WIRE_FIELDS.has(k) || k === '__proto__' || u[k] === undefined) continue;
    out[k] = u[k];
  }
  return out;
}

const WIRE_FIELDS = new Set(['id', 'name', 'role', 'created_at', 'updated_at', 'revoke_tokens_issued_before', 'requires_token']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `POST /v1/connect`: `{}`, `{ "user_id": "<valid id>" }` or `{ "anonymous": true }`. */
function decodeConnect(body: unknown): unknown {
  if (!isPlainObject(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length === 0) return {};
  if (keys.length !== 1) return undefined;
  const id = body['user_id'];
  if (typeof id === 'string' && USER_ID_PATTERN.test(id)) return { user_id: id };
  if (body['anonymous'] === true) return { anonymous: true };
  return undefined;
}

/** The fields `POST /v1/users` refuses in a user (`PATCH /v1/users` refuses those of SET_REFUSED_FIELDS and UNSET_REFUSED_FIELDS). */
const UPSERT_REFUSED = new Set(['created_at', 'updated_at', 'requires_token', 'revoke_tokens_issued_before']);

/** The last date {@link wireDate} accepted (a list mostly sets one cutoff on every user), and its time. */
let lastWire: { s: string; ms: number } | undefined;

/** A wire date decoded as the schema's codec does (`new Date`), a new Date each time, or undefined. */
function wireDate(s: unknown): Date | undefined {
  if (typeof s !== 'string') return undefined;
  if (s !== lastWire?.s) {
    if (!TO_ISO_STRING_PATTERN.test(s)) return undefined;
    const ms = new Date(s).getTime();
    // The same string back: a real day of a real month (the schema refuses 2026-02-30 too).
    if (Number.isNaN(ms) || new Date(ms).toISOString() !== s) return undefined;
    lastWire = { s, ms };
  }
  return new Date(lastWire.ms);
}

/**
 * A user's fields (`POST /v1/users`' user, `PATCH /v1/users`' `set`) copied to `out` as the
 * schema's looseObject gives them: its known fields in its order (name, role, and the cutoff where
 * `withCutoff`), then the custom fields in the order given; the key `skip` is left out. False
 * where the schema must decide.
 */
function copyFields(from: Record<string, unknown>, out: Record<string, unknown>, refused: ReadonlySet<string>, withCutoff: boolean, skip?: string): boolean {
  const custom: string[] = [];
  let cutoff: Date | null | undefined;
  for (const key of Object.keys(from)) {
    if (key === skip) continue;
    const v = from[key];
    if (v === undefined || key === '__proto__' || refused.has(key)) return false;
    if (key === 'name') {
      if (typeof v !== 'string' || v.length > 1024) return false;
    } else if (key === 'role') {
      if (!ROLES.has(v)) return false;
    } else if (withCutoff && key === 'revoke_tokens_issued_before') {
      cutoff = v === null ? null : wireDate(v);
      if (cutoff === undefined) return false;
    } else if (isJsonValue(v)) custom.push(key);
    else return false;
  }
  if ('name' in from) out['name'] = from['name'];
  if ('role' in from) out['role'] = from['role'];
  if (cutoff !== undefined) out['revoke_tokens_issued_before'] = cutoff;
  for (const key of custom) out[key] = from[key];
  return true;
}

/**
 * `{ users: [...] }` of the bulk user routes: 1 to 100 users, each id valid and given once, each
 * user decoded by `item` (undefined: the schema decides). Undefined for anything else.
 */
function decodeUserList(body: unknown, item: (user: Record<string, unknown>, id: string) => unknown): unknown {
  if (!isPlainObject(body)) return undefined;
  const keys = Object.keys(body);
  const users = body['users'];
  if (keys.length !== 1 || keys[0] !== 'users' || !Array.isArray(users) || users.length === 0 || users.length > MAX_USERS_PER_REQUEST) return undefined;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const u of users as unknown[]) {
    if (!isPlainObject(u)) return undefined;
    const id = u['id'];
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id) || seen.has(id)) return undefined;
    seen.add(id);
    const decoded = item(u, id);
    if (decoded === undefined) return undefined;
    out.push(decoded);
  }
  return { users: out };
}

/** `POST /v1/users`: users of id, name, role and custom JSON fields. */
function decodeUpsert(body: unknown): unknown {
  return decodeUserList(body, (u, id) => {
    const out: Record<string, unknown> = { id };
    return copyFields(u, out, UPSERT_REFUSED, false, 'id') ? out : undefined;
  });
}

/** `PATCH /v1/users`: `{ id, set?, unset? }`, `set` with name, role, the cutoff (a wire date or null) and custom fields, `unset` of custom fields. */
function decodePartial(body: unknown): unknown {
  return decodeUserList(body, (u, id) => {
    const out: Record<string, unknown> = { id };
    let keys = 1;
    const set = u['set'];
    if (set !== undefined) {
      keys++;
      const fields: Record<string, unknown> = {};
      if (!isPlainObject(set) || !copyFields(set, fields, SET_REFUSED_FIELDS, true)) return undefined;
      out['set'] = fields;
    }
    const unset = u['unset'];
    if (unset !== undefined) {
      keys++;
      if (!Array.isArray(unset)) return undefined;
      for (const f of unset as unknown[]) {
        if (typeof f !== 'string' || UNSET_REFUSED_FIELDS.has(f) || (set !== undefined && Object.prototype.hasOwnProperty.call(set, f))) return undefined;
      }
      out['unset'] = [...(unset as string[])];
    }
    // No other key (the schema is strict), and at least one of set and unset.
    return keys > 1 && Object.keys(u).length === keys ? out : undefined;
  });
}

function encodeConnect(output: unknown): string {
  const o = output as { user?: User; connection_id: string; auth: string };
  return JSON.stringify(
    o.user === undefined ? { connection_id: o.connection_id, auth: o.auth } : { user: wireUser(o.user), connection_id: o.connection_id, auth: o.auth },
  );
}

/** `{ users: { [id]: user } }` (upsertUsers, updateUsersPartial): every id an own key, "__proto__" too. */
function encodeUsersById(output: unknown): string {
  const users = (output as { users: Record<string, User> }).users;
  return JSON.stringify({ users: Object.fromEntries(Object.entries(users).map(([id, u]) => [id, wireUser(u)])) });
}

/** `{ users: [user, ...], next }` (queryUsers: a page, or the users of `ids`). */
function encodeUserList(output: unknown): string {
  const { users, next } = output as { users: User[]; next: string | null };
  return JSON.stringify({ users: users.map(wireUser), next });
}

/** `{ user }` (getUser, both sides; updateMe). */
function encodeOneUser(output: unknown): string {
  return JSON.stringify({ user: wireUser((output as { user: User }).user) });
}

/** The shortcuts, by endpoint. An endpoint without one goes through its schemas only. */
export const FAST_CODECS = new Map<Endpoint, FastCodec>([
  [clientEndpoints.connect, { decode: decodeConnect, encode: encodeConnect }],
  [clientEndpoints.getUser, { encode: encodeOneUser }],
  [clientEndpoints.updateMe, { encode: encodeOneUser }],
  [adminEndpoints.getUser, { encode: encodeOneUser }],
  [adminEndpoints.queryUsers, { encode: encodeUserList }],
  [adminEndpoints.upsertUsers, { decode: decodeUpsert, encode: encodeUsersById }],
  [adminEndpoints.updateUsersPartial, { decode: decodePartial, encode: encodeUsersById }],
]);
