import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { MintClock } from '../admin/clock';
import type { App } from '../schemas/app';
import type { AuthKind } from '../schemas/client-routes';
import type { User } from '../schemas/users';
import { LruMap } from './lru';
import { UserStore } from './users';

export { LruMap } from './lru';
import { AppSecrets } from './secrets';

/**
 * The app settings the emulator keeps (contract: "App settings").
 *
 * @example
 * ```ts
 * import { startEmulator, type AppSettings } from 'tokenkit/emulator';
 * const legacy: Partial<AppSettings> = { jwt_enabled: false }; // the platform issues stored session tokens
 * const platform = await startEmulator({ app: legacy });
 * console.log(platform.app().jwt_enabled); // false
 * await platform.close();
 * ```
 */
export type AppSettings = Pick<
  App,
  'revoke_tokens_issued_before' | 'disable_auth_checks' | 'access_token_permission' | 'jwt_enabled' | 'jwt_compatibility_mode'
>;

/** The contract's defaults. */
export function defaultApp(): AppSettings {
  return {
    revoke_tokens_issued_before: null,
    disable_auth_checks: false,
    access_token_permission: 'read_write',
    jwt_enabled: true,
    jwt_compatibility_mode: false,
  };
}

/** A legacy session token as stored: only its SHA-256 (docs/platform-api.md, "Issuance"). */
export interface SessionRecord {
  userId: string;
  expiresAt: number;
  /** Deleted by `DELETE /v1/users/{id}/token`: remembered so that it answers 44, not 43. */
  deleted: boolean;
}

/** An open connection (`POST /v1/connect`). `userId` is null for an anonymous one. */
export interface Connection {
  userId: string | null;
  auth: AuthKind;
}

/** Orders user ids by UTF-16 code units (byte order for the ASCII ids), not by locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SHA-256 of a session token, hex: what the emulator stores instead of the token. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The platform's data: the app settings and secrets, the users, the stored session-token hashes,
 * and the open connections (in memory only, at most `maxConnections`, least recently used
 * dropped first).
 */
export class EmulatorState {
  app: AppSettings = defaultApp();
  /** The app's secrets (docs/platform-api.md, "App secrets and rotation"): set at start. */
  secrets: AppSecrets = AppSecrets.initial(randomBytes(32).toString('base64url'), true, Date.now());
  /** The users, compactly (see {@link UserStore}): `get` builds a copy, `setUser` stores one. */
  readonly users = new UserStore();
  readonly sessions = new Map<string, SessionRecord>();
  readonly #sessionsByUser = new Map<string, Set<string>>();
  readonly connections: LruMap<string, Connection>;
  /**
   * The platform's issuer clock: the `iat` of every token it issues and every cutoff it sets or
   * stores go through it, as the SDK's mint clock does for the tokens a backend mints
   * (docs/platform-api.md, "The revocation rule").
   */
  readonly issuer: MintClock;
  /** Set by every change; cleared by the server once the data file is written. */
  dirty = false;
  /** The user ids in order, for paging (`GET /v1/users`); rebuilt when users were added or cleared. */
  #sorted: { ids: string[]; size: number; generation: number } | undefined;
  #generation = 0;

  constructor(maxConnections: number, now: () => number = () => Date.now()) {
    this.connections = new LruMap(maxConnections);
    this.issuer = new MintClock(now);
  }

  /** Forgets everything: users, sessions, connections; the app back to `app`. */
  clear(app: AppSettings): void {
    this.app = app;
    this.users.clear();
    this.#generation++;
    this.sessions.clear();
    this.#sessionsByUser.clear();
    this.connections.clear();
    this.issuer.reset();
    this.dirty = true;
  }

  setUser(user: User): void {
    this.users.set(user.id, user);
    this.dirty = true;
  }

  /**
   * Up to `limit` users with ids after `after` (all from the first where undefined), in id order
   * (UTF-16 code units, which for the ASCII ids is byte order). Users are never deleted, so the
   * index changes only when one is added: then it is sorted again, once, on the next read.
   */
  usersAfter(after: string | undefined, limit: number): User[] {
    if (this.#sorted === undefined || this.#sorted.size !== this.users.size || this.#sorted.generation !== this.#generation) {
      this.#sorted = { ids: [...this.users.keys()].sort(compareIds), size: this.users.size, generation: this.#generation };
    }
    const ids = this.#sorted.ids;
    let lo = 0;
    if (after !== undefined) {
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareIds(ids[mid] as string, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    const out: User[] = [];
    for (let i = lo; i < ids.length && out.length < limit; i++) {
      const user = this.users.get(ids[i] as string);
      if (user) out.push(user);
    }
    return out;
  }

  setApp(app: AppSettings): void {
    this.app = app;
    this.dirty = true;
  }

  /** Stores a session record under its hash (used by issuance and by loading the data file). */
  addSession(hash: string, record: SessionRecord): void {
    this.sessions.set(hash, record);
    let set = this.#sessionsByUser.get(record.userId);
    if (!set) this.#sessionsByUser.set(record.userId, (set = new Set()));
    set.add(hash);
    this.dirty = true;
  }

  /** Issues a legacy session token: 32 random bytes, base64url; only its hash is kept. */
  issueSession(userId: string, expiresAt: number): string {
    const token = randomBytes(32).toString('base64url');
    this.addSession(hashSessionToken(token), { userId, expiresAt, deleted: false });
    return token;
  }

  /** Marks every session token of the user deleted (they then answer 44). Returns how many. */
  deleteSessions(userId: string): number {
    let n = 0;
    for (const hash of this.#sessionsByUser.get(userId) ?? []) {
      const record = this.sessions.get(hash);
      if (record && !record.deleted) {
        record.deleted = true;
        n++;
      }
    }
    if (n > 0) this.dirty = true;
    return n;
  }

  /** Opens a connection; returns its id. */
  openConnection(connection: Connection): string {
    const id = randomUUID();
    this.connections.set(id, connection);
    return id;
  }
}
