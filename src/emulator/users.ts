import type { Role, User } from '../schemas/users';

/** The roles, by their number in the store. */
const ROLES: readonly Role[] = ['user', 'guest', 'admin'];
const ROLE_NUMBER: Readonly<Record<string, number>> = { user: 0, guest: 1, admin: 2 };
/** The flag byte: the role's number in bits 0-1, `requires_token` in bit 2. */
const REQUIRES_TOKEN = 4;

/** The fields every user has, stored in the typed arrays; the rest (name, custom fields) is kept aside. */
const KNOWN = new Set(['id', 'role', 'created_at', 'updated_at', 'revoke_tokens_issued_before', 'requires_token']);

/** Where the store starts: room for this many users before the arrays grow (doubling). */
const INITIAL_CAPACITY = 1024;

/**
 * The emulator's users, compactly: a user is an index into typed arrays (its three times as
 * milliseconds, a byte for its role and `requires_token`), plus its name and custom fields kept
 * only for the users that have any. At a million users this is about 150 bytes a user, where one
 * object per user with three `Date`s was about 500 (bench/README.md, "bulk").
 *
 * It reads like a `Map<string, User>`: `get` builds the user (dates as `Date`, a fresh object on
 * every call: changing it changes nothing stored; store a change with `set`), `values()` builds
 * them one at a time. Users are never deleted, only all cleared. `cutoffMs` reads a user
 * without building its `Date`s: the revocation check of every user token.
 */
export class UserStore {
  #index = new Map<string, number>();
  #ids: string[] = [];
  /** Per user: created_at, updated_at, revoke_tokens_issued_before (NaN for null), in ms. */
  #times = new Float64Array(3 * INITIAL_CAPACITY);
  #flags = new Uint8Array(INITIAL_CAPACITY);
  /** Name and custom fields, in the order stored, of the users that have any. */
  #extra = new Map<number, Record<string, unknown>>();

  get size(): number {
    return this.#ids.length;
  }

  has(id: string): boolean {
    return this.#index.has(id);
  }

  /** A copy of the user, dates as `Date`; undefined for an unknown id. */
  get(id: string): User | undefined {
    const i = this.#index.get(id);
    if (i === undefined) return undefined;
    const t = this.#times;
    const cutoff = t[3 * i + 2]!;
    return this.#build(i, new Date(t[3 * i]!), new Date(t[3 * i + 1]!), Number.isNaN(cutoff) ? null : new Date(cutoff));
  }

  /** The user's revocation cutoff in ms: null for none, undefined for an unknown id. */
  cutoffMs(id: string): number | null | undefined {
    const i = this.#index.get(id);
    if (i === undefined) return undefined;
    const cutoff = this.#times[3 * i + 2]!;
    return Number.isNaN(cutoff) ? null : cutoff;
  }

  /** Stores `user` under `id` (the user's own id), replacing the user there. */
  set(id: string, user: User): void {
    let i = this.#index.get(id);
    if (i === undefined) {
      i = this.#ids.length;
      if (i === this.#flags.length) this.#grow();
      this.#ids.push(id);
      this.#index.set(id, i);
    }
    const t = this.#times;
    t[3 * i] = user.created_at.getTime();
    t[3 * i + 1] = user.updated_at.getTime();
    t[3 * i + 2] = user.revoke_tokens_issued_before === null ? NaN : user.revoke_tokens_issued_before.getTime();
    const role = ROLE_NUMBER[user.role];
    if (role === undefined) throw new Error(`user "${id}": unknown role ${String(user.role)}`);
    this.#flags[i] = role | (user.requires_token ? REQUIRES_TOKEN : 0);
    let extra: Record<string, unknown> | undefined;
    for (const k of Object.keys(user)) {
      const v = (user as Record<string, unknown>)[k];
      if (KNOWN.has(k) || v === undefined) continue;
      // defineProperty: a key "__proto__" stays an own field instead of setting the prototype.
      Object.defineProperty((extra ??= {}), k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    if (extra) this.#extra.set(i, extra);
    else this.#extra.delete(i);
  }

  /** Forgets every user. */
  clear(): void {
    this.#index = new Map();
    this.#ids = [];
    this.#times = new Float64Array(3 * INITIAL_CAPACITY);
    this.#flags = new Uint8Array(INITIAL_CAPACITY);
    this.#extra = new Map();
  }

  /** The ids, in the order the users were first stored. */
  keys(): IterableIterator<string> {
    return this.#ids.values();
  }

  /** Every user, built one at a time, in the order first stored. */
  *values(): IterableIterator<User> {
    for (const id of this.#ids) yield this.get(id)!;
  }

  /** The user, in the order `userSchema` encodes its fields: the known ones, then the custom ones as stored. */
  #build(i: number, created: Date, updated: Date, cutoff: Date | null): User {
    const flags = this.#flags[i]!;
    const extra = this.#extra.get(i);
    const out: Record<string, unknown> = { id: this.#ids[i] };
    const named = extra !== undefined && Object.prototype.hasOwnProperty.call(extra, 'name');
    if (named) out['name'] = extra['name'];
    out['role'] = ROLES[flags & 3];
    out['created_at'] = created;
    out['updated_at'] = updated;
    out['revoke_tokens_issued_before'] = cutoff;
    out['requires_token'] = (flags & REQUIRES_TOKEN) !== 0;
    if (extra !== undefined) {
      for (const k of Object.keys(extra)) {
        if (k === 'name') continue;
        Object.defineProperty(out, k, { value: extra[k], enumerable: true, writable: true, configurable: true });
      }
    }
    return out as User;
  }

  #grow(): void {
    const n = this.#flags.length * 2;
    const times = new Float64Array(3 * n);
    times.set(this.#times);
    this.#times = times;
    const flags = new Uint8Array(n);
    flags.set(this.#flags);
    this.#flags = flags;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
