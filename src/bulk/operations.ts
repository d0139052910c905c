import { z } from 'zod';
import type { MintClock } from '../admin/clock';
import { observeCutoff } from '../admin/users';
import { type IssuedToken, type IssueTokenOptions, isAppWideRefusal, issueToken, validateIssueOptions } from '../admin/tokens';
import { ApiError } from '../errors';
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
   * batch refused because of one of its users (an unknown id: 404) is split in halves until the
   * bad ids stand alone: the good ids are done, only the bad ones fail. Every id read ends up done,
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
    const revoke = async (ids: string[], signal: AbortSignal): Promise<Array<GroupOutcome<string>>> => {
      try {
        // Built in wire form without another schema pass: the engine has checked every id, and
        // `before` was checked with the options (a zod pass over 100 users costs ~0.4 ms a batch).
        const prepared = http.prepareEncoded(endpoint, endpoint.path, { users: ids.map((id) => ({ id, set: { revoke_tokens_issued_before: iso } })) });
        const res = await http.send(prepared, { signal, timeoutMs });
        // The platform may raise the cutoff (docs/platform-api.md): the next token is stamped after it.
        for (const user of Object.values(res.users)) observeCutoff(this.#clock, user.revoke_tokens_issued_before);
        return ids.map((id) => ({ ok: true, value: id }));
      } catch (error) {
        if (ids.length > 1 && refusedForAnItem(error) && !signal.aborted) {
          const half = Math.ceil(ids.length / 2);
          return [...(await revoke(ids.slice(0, half), signal)), ...(await revoke(ids.slice(half), signal))];
        }
        return ids.map(() => ({ ok: false, error: asError(error) }));
      }
    };
    return runBulk(source, { groupSize: opts.batchSize ?? MAX_USERS_PER_REQUEST, run: revoke }, opts);
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
    const issue = async (ids: string[], signal: AbortSignal): Promise<Array<GroupOutcome<IssuedUserToken>>> =>
      Promise.all(
        ids.map(async (id): Promise<GroupOutcome<IssuedUserToken>> => {
          try {
            const t = await issueToken(this.#http, id, { ...issueOptions, signal }, this.#compatibilityMode);
            return { ok: true, value: { id, token: t.token, expiresAt: t.expiresAt } };
          } catch (error) {
            return { ok: false, error: asError(error) };
          }
        }),
      );
    return runBulk(source, { groupSize: 1, run: issue, stopsRun: isAppWideRefusal }, opts);
  }
}
