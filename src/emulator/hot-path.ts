import { USER_ID_PATTERN } from '../schemas/common';
import { type Endpoint, adminEndpoints, clientEndpoints } from '../schemas/endpoints';
import type { User } from '../schemas/users';

// The hot routes' bodies and answers without zod. A profile of the emulator under connect load
// put a tenth of its CPU in zod's decoding of `{}` and encoding of one user (bench/README.md,
// "emulator"), and the bulk routes' answers (100 users each) made most of its garbage while a
// million users were created. A decoder here accepts only the plain, common shapes of a body and
// answers undefined for anything else, which the route's schema then decodes (so every refusal,
// its message and code, is the schema's); an encoder writes what the response schema's encoding
// writes, byte for byte (__tests__/emulator/hot-path.test.ts compares the two).

/** A route's shortcuts: `decode` a body (undefined: let the schema decide), `encode` an answer. */
export interface FastCodec {
  decode?: (body: unknown) => unknown;
  encode?: (output: unknown) => string;
}

function iso(d: Date): string {
  return d.toISOString();
}

/**
 * A user as `userSchema` encodes it: the schema's fields in its order (id, name, role, the
 * dates as ISO strings, requires_token), then the custom fields in the order stored.
 */
export function wireUser(user: User): Record<string, unknown> {
  const u = user as Record<string, unknown>;
  const out: Record<string, unknown> = { id: user.id };
  if (u['name'] !== undefined) out['name'] = u['name'];
  out['role'] = user.role;
  const created = iso(user.created_at);
  out['created_at'] = created;
  // A user never changed since created (most of them) has one time: written once.
  out['updated_at'] = user.updated_at.getTime() === user.created_at.getTime() ? created : iso(user.updated_at);
  out['revoke_tokens_issued_before'] = user.revoke_tokens_issued_before === null ? null : iso(user.revoke_tokens_issued_before);
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
  [adminEndpoints.upsertUsers, { encode: encodeUsersById }],
  [adminEndpoints.updateUsersPartial, { encode: encodeUsersById }],
]);
