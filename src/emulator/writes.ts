/**
 * One applied write, as the emulator's audit log records it. A replayed answer (same
 * `Idempotency-Key`) is not a write: it applies nothing.
 *
 * @example
 * ```ts
 * import { startEmulator } from 'tokenkit/emulator';
 * const emulator = await startEmulator();
 * // ... the code under test revokes alice's tokens ...
 * const revocations = emulator.writes({ userId: 'alice', field: 'revoke_tokens_issued_before' });
 * console.log(revocations.length); // 1: applied once, however often the request was retried
 * await emulator.close();
 * ```
 */
export interface WriteRecord {
  /** 1, 2, 3, ... in the order applied. */
  seq: number;
  /** When it was applied (the emulator's clock). */
  at: Date;
  /** The route, as `"METHOD /path"`, e.g. `"DELETE /v1/users/:id/token"`. */
  route: string;
  /** The `X-Request-Id` of the request that applied it. */
  requestId: string;
  /** The user written; absent for app settings. */
  userId?: string;
  /** The fields written (set or unset), e.g. `["revoke_tokens_issued_before"]`. */
  fields: string[];
  /** True where the write created the user. */
  created?: boolean;
  /** Where the write issued a token: a JWT or a stored legacy session token. */
  tokenIssued?: 'jwt' | 'session';
  /** The secret added, promoted or retired (its kid; never its value). */
  kid?: string;
}

/**
 * What `emulator.writes(filter)` filters on; every given field must match.
 *
 * @example
 * ```ts
 * import type { WriteFilter } from 'tokenkit/emulator';
 * const filter: WriteFilter = { route: 'PATCH /v1/users', field: 'revoke_tokens_issued_before' };
 * await client.revokeUserTokens(['alice', 'bob']);
 * console.log(emulator.writes(filter).map((w) => w.userId)); // [ 'alice', 'bob' ]
 * ```
 */
export interface WriteFilter {
  /** Writes to this user. */
  userId?: string | undefined;
  /** Writes by this route, as `"METHOD /path"`, e.g. `"PATCH /v1/users"`. */
  route?: string | undefined;
  /** Writes that wrote this field. */
  field?: string | undefined;
}

/** A record as kept: its time in ms rather than a `Date` (a tenth of a record's memory), made a `Date` by `list`. */
type KeptRecord = Omit<WriteRecord, 'at'> & { at: number };

/** The audit log of applied writes: the last `cap` (or a few more) are kept. */
export class WriteLog {
  #records: KeptRecord[] = [];
  #seq = 0;
  readonly #cap: number;

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(record: Omit<WriteRecord, 'seq'>): void {
    this.#records.push({ seq: ++this.#seq, ...record, at: record.at.getTime() });
    // Trimmed in chunks, so that a full log costs O(1) per write on average.
    if (this.#records.length > this.#cap + Math.ceil(this.#cap / 10)) this.#records = this.#records.slice(-this.#cap);
  }

  list(filter: WriteFilter = {}): WriteRecord[] {
    return this.#records
      .filter(
        (r) =>
          (filter.userId === undefined || r.userId === filter.userId) &&
          (filter.route === undefined || r.route === filter.route) &&
          (filter.field === undefined || r.fields.includes(filter.field)),
      )
      .map((r) => ({ ...r, at: new Date(r.at), fields: [...r.fields] }));
  }

  clear(): void {
    this.#records = [];
  }
}
