import { z } from 'zod';
import type { MintClock } from '../admin/clock';
import { type IssuedToken, type IssueTokenOptions, isAppWideRefusal, issueToken, validateIssueOptions } from '../admin/tokens';
import { ApiError } from '../errors';
import { readUserCutoffs } from '../http/decoders';
import type { Transport } from '../http/transport';
import { adminEndpoints } from '../schemas/endpoints';
import { parseArgument } from '../schemas/validate';
import { MAX_USERS_PER_REQUEST } from '../schemas/users';
import { bulkOptionsShape, type GroupOutcome, runBulk, validateSource } from './engine';
import type { BulkOptions, BulkResult, IdSource } from './types';

/**
 * The options of a bulk revocation.
 *
 * @example
 * ```ts
 * import type { BulkRevokeOptions } from 'tokenkit';
 * const options: BulkRevokeOptions = { concurrency: 8, batchSize: 50, before: new Date() };
 * const result = await client.bulk.revokeUserTokens(['alice', 'bob'], options);
 * ```
 */
export interface BulkRevokeOptions extends BulkOptions<string> {
  /** The cutoff set on every user (default: when the run starts). The same for every id, so a retry writes the same value. */
  before?: Date | undefined;
  /** Users per `PATCH /v1/users`, 1 to 100. Default 100. */
  batchSize?: number | undefined;
}

/**
 * The options of a bulk issuance.
 *
 * @example
 * ```ts
 * import type { BulkIssueOptions } from 'tokenkit';
 * const options: BulkIssueOptions = { expiresAt: new Date(Date.now() + 3600_000), concurrency: 4 };
 * const result = await client.bulk.issueTokens(['alice', 'bob'], options);
 * ```
 */
export interface BulkIssueOptions extends BulkOptions<IssuedUserToken> {
  /** When every token expires (default: the platform's, 7 days). */
  expiresAt?: Date | undefined;
  /** Issue through the user-update call (compatibility mode). Default: the client's option. */
  compatibilityMode?: boolean | undefined;
}

/**
 * A token issued by a bulk run, with its user.
 *
 * @example
 * ```ts
 * import type { IssuedUserToken } from 'tokenkit';
 * const { done } = await client.bulk.issueTokens(['alice', 'bob']);
 * const byUser = new Map(done.map((t: IssuedUserToken) => [t.id, t.token]));
 * ```
 */
export interface IssuedUserToken extends IssuedToken {
  /** The user the token was issued to. */
  id: string;
}

const revokeSchema = z.strictObject({
  ...bulkOptionsShape,
  before: z.date({ error: 'expected a valid Date' }).optional(),
  batchSize: z.number().int().min(1).max(MAX_USERS_PER_REQUEST, { error: `must be at most ${MAX_USERS_PER_REQUEST}` }).optional(),
});
const issueSchema = z.strictObject({
  ...bulkOptionsShape,
  expiresAt: z.date({ error: 'expected a valid Date' }).optional(),
  compatibilityMode: z.boolean().optional(),
});

function validate<S extends z.ZodType>(schema: S, options: unknown, what: string): z.output<S> {
  // Only undefined means "no options": null is refused like any other wrong type.
  return parseArgument(schema, options === undefined ? {} : options, what);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A batch refused because of one of its users (all or nothing): 400 or 404. Retrying it whole won't help; splitting it will. */
function refusedForAnItem(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}

/** A refusal for unknown users (404, code 16). */
function isUnknownUser(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 404 && error.code === 16;
}

/** The ids a refusal names as unknown (`unknown_user_ids`), where it names some of `ids` and nothing else. */
export function unknownIdsIn(error: unknown, ids: readonly string[]): Set<string> | undefined {
  if (!isUnknownUser(error) || error.unknownUserIds === undefined || error.unknownUserIds.length === 0) return undefined;
  const asked = new Set(ids);
  return error.unknownUserIds.every((id) => asked.has(id)) ? new Set(error.unknownUserIds) : undefined;
}

/** The outcomes of a group once its unknown ids are out: theirs (skipped or failed), the rest's in order. */
function mergeUnknown<D>(ids: string[], unknown: Set<string>, rest: Array<GroupOutcome<D>>, skip: boolean, refusal: ApiError): Array<GroupOutcome<D>> {
  let r = 0;
  return ids.map((id): GroupOutcome<D> => {
    if (!unknown.has(id)) return rest[r++] ?? { ok: false, error: new Error('no outcome for this id') };
    if (skip) return { ok: 'skipped', reason: 'unknown' };
    return {
      ok: false,
      error: new ApiError({ status: 404, code: 16, message: `user "${id}" not found`, requestId: refusal.requestId, method: refusal.method, path: refusal.path }),
    };
  });
}

/**
 * Bulk operations over large lists of user ids, for migration scripts and the CLI. Reached through
 * `client.bulk`.
 *
 * @example
 * ```ts
 * import type { BulkOperations } from 'tokenkit';
 * const bulk: BulkOperations = client.bulk;
 * const result = await bulk.revokeUserTokens(['alice', 'bob']);
 * console.log(result.counts); // { done: 2, failed: 0, skipped: 0 }
 * ```
 */
export class BulkOperations {
  readonly #http: Transport;
  readonly #compatibilityMode: boolean;
  readonly #clock: MintClock;

  /** @internal Built by `ServerClient`. */
  constructor(http: Transport, compatibilityMode: boolean, clock: MintClock) {
    this.#http = http;
    this.#compatibilityMode = compatibilityMode;
    this.#clock = clock;
  }

  /**
   * Revokes the tokens of every user in `userIds` (an array or an async iterable): sets their
   * `revoke_tokens_issued_before` to `before` through `PATCH /v1/users`, 100 users a request. A
   * batch refused for unknown users (404, `unknown_user_ids`) is sent again without them, in one
   * more request; `missing` says what becomes of them (fail, skip, or create the users first). A
   * batch refused for another of its users (400) is split in halves until the bad ids stand alone.
   * Every id read ends up done,
   * failed (with its error) or skipped (a duplicate); retries carry the same Idempotency-Key, so
   * nothing is applied twice.
   *
   * @example
   * ```ts
   * const result = await client.bulk.revokeUserTokens(['alice', 'bob'], {
   *   concurrency: 8,
   *   onProgress: (p) => console.log(`${p.done} done, ${p.failed} failed`),
   * });
   * for (const f of result.failed) console.error(f.id, f.error.message);
   * ```
   */
  async revokeUserTokens(userIds: IdSource, options?: BulkRevokeOptions): Promise<BulkResult<string>> {
    const source = validateSource(userIds);
    const opts = validate(revokeSchema, options, 'bulk.revokeUserTokens options') as BulkRevokeOptions;
    // A given date goes through the client's rule (MintClock.givenCutoff), as in revokeUserTokens.
    const before = new Date(opts.before ? this.#clock.givenCutoff(opts.before.getTime()) : this.#clock.cutoffNow());
    const iso = before.toISOString();
    const http = this.#http;
    const timeoutMs = opts.timeoutMs;
    const endpoint = adminEndpoints.updateUsersPartial;
    const missing = opts.missing ?? 'fail';
    const revoke = async (ids: string[], signal: AbortSignal, created = false): Promise<Array<GroupOutcome<string>>> => {
      try {
        // Built in wire form without another schema pass: the engine has checked every id, and
        // `before` was checked with the options (a zod pass over 100 users costs ~0.4 ms a batch).
        const prepared = http.prepareEncoded(endpoint, endpoint.path, { users: ids.map((id) => ({ id, set: { revoke_tokens_issued_before: iso } })) });
        // Only the cutoffs are read from the answer (the result holds the ids sent): the platform
        // may raise a cutoff (docs/platform-api.md), and the next token is stamped after it.
        const cutoffs = await http.send(prepared, { signal, timeoutMs }, readUserCutoffs);
        for (const ms of cutoffs) if (ms !== null) this.#clock.observeCutoff(ms);
        return ids.map((id) => ({ ok: true, value: id }));
      } catch (error) {
        if (signal.aborted) return ids.map(() => ({ ok: false, error: asError(error) }));
        const unknown = unknownIdsIn(error, ids);
        if (unknown !== undefined) {
          // The platform named the unknown ids: one more request for the rest, no splitting.
          if (missing === 'create' && !created) {
            const made = await this.#createUsers([...unknown], signal, timeoutMs);
            return made === undefined ? revoke(ids, signal, true) : ids.map(() => ({ ok: false, error: made }));
          }
          const rest = ids.filter((id) => !unknown.has(id));
          const restOutcomes = rest.length > 0 ? await revoke(rest, signal, created) : [];
          return mergeUnknown(ids, unknown, restOutcomes, missing === 'skip' && !created, error as ApiError);
        }
        // A platform that does not name them: split in halves until the bad ids stand alone.
        if (ids.length > 1 && refusedForAnItem(error)) {
          const half = Math.ceil(ids.length / 2);
          return [...(await revoke(ids.slice(0, half), signal, created)), ...(await revoke(ids.slice(half), signal, created))];
        }
        return ids.map(() => ({ ok: false, error: asError(error) }));
      }
    };
    return runBulk(source, { groupSize: opts.batchSize ?? MAX_USERS_PER_REQUEST, run: revoke }, opts);
  }

  /** `missing: 'create'`: creates the users with just their ids; answers the error where that failed. */
  async #createUsers(ids: string[], signal: AbortSignal, timeoutMs: number | undefined): Promise<Error | undefined> {
    try {
      const endpoint = adminEndpoints.upsertUsers;
      await this.#http.send(this.#http.prepareEncoded(endpoint, endpoint.path, { users: ids.map((id) => ({ id })) }), { signal, timeoutMs });
      return undefined;
    } catch (error) {
      return asError(error);
    }
  }

  /**
   * Issues a platform token for every user in `userIds` (`POST /v1/users/{id}/token`, or the
   * compatibility-mode PUT), one request per user, `concurrency` at a time. The tokens are in the
   * result (and given to `onItem`): they are secrets, store them accordingly.
   *
   * @example
   * ```ts
   * const result = await client.bulk.issueTokens(['alice', 'bob'], { collect: false, onItem: (item) => {
   *   if (item.status === 'done') console.log(item.id, item.value.expiresAt.toISOString());
   * } });
   * console.log(result.counts);
   * ```
   */
  async issueTokens(userIds: IdSource, options?: BulkIssueOptions): Promise<BulkResult<IssuedUserToken>> {
    const source = validateSource(userIds);
    const opts = validate(issueSchema, options, 'bulk.issueTokens options') as BulkIssueOptions;
    const issueOptions: IssueTokenOptions = { compatibilityMode: opts.compatibilityMode ?? this.#compatibilityMode };
    if (opts.expiresAt !== undefined) issueOptions.expiresAt = opts.expiresAt;
    if (opts.timeoutMs !== undefined) issueOptions.timeoutMs = opts.timeoutMs;
    validateIssueOptions(issueOptions); // an expiresAt in the past is refused once, before anything is read
    const missing = opts.missing ?? 'fail';
    const issueOne = async (id: string, signal: AbortSignal, created = false): Promise<GroupOutcome<IssuedUserToken>> => {
      try {
        const t = await issueToken(this.#http, id, { ...issueOptions, signal }, this.#compatibilityMode);
        return { ok: true, value: { id, token: t.token, expiresAt: t.expiresAt } };
      } catch (error) {
        if (!signal.aborted && !created && isUnknownUser(error)) {
          if (missing === 'skip') return { ok: 'skipped', reason: 'unknown' };
          if (missing === 'create') {
            const made = await this.#createUsers([id], signal, opts.timeoutMs);
            return made === undefined ? issueOne(id, signal, true) : { ok: false, error: made };
          }
        }
        return { ok: false, error: asError(error) };
      }
    };
    const issue = async (ids: string[], signal: AbortSignal): Promise<Array<GroupOutcome<IssuedUserToken>>> => Promise.all(ids.map((id) => issueOne(id, signal)));
    return runBulk(source, { groupSize: 1, run: issue, stopsRun: isAppWideRefusal }, opts);
  }
}
