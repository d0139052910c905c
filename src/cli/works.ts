import type { IssueTokenOptions } from '../admin/tokens';
import { ApiError } from '../errors';
import type { BatchWork, ItemOutcome, RunItem } from './batch-run';
import { type Platform, errorRecord, isFatal, refusedForAnItem } from './platform';

/**
 * Revoke (a cutoff) or restore (null) a batch of users in one `PATCH /v1/users`. The platform
 * applies a batch all or nothing, so one unknown user fails the request: the batch is then split
 * in halves, each with a key derived from the batch's (`KEY/0`, `KEY/1`), until the users at
 * fault are alone. The derived keys are the same on every run, so a resumed run replays them too.
 */
export function cutoffWork(platform: Platform, cutoff: Date | null): BatchWork {
  async function apply(items: RunItem[], key: string): Promise<ItemOutcome[]> {
    // At most 100 items (--batch-size), so one request; the cutoff is the run's, fixed in its report.
    const ids = items.map((i) => i.id);
    try {
      if (cutoff === null) await platform.client.restoreUserTokens(ids, { idempotencyKey: key });
      else await platform.client.revokeUserTokens(ids, cutoff, { idempotencyKey: key });
      return items.map(() => ({ status: 'done' }));
    } catch (err) {
      if (isFatal(err)) throw err;
      if (items.length > 1 && refusedForAnItem(err)) {
        const mid = Math.ceil(items.length / 2);
        const [a, b] = await Promise.all([apply(items.slice(0, mid), `${key}/0`), apply(items.slice(mid), `${key}/1`)]);
        return [...a, ...b];
      }
      const error = errorRecord(err);
      return items.map(() => ({ status: 'failed', error }));
    }
  }

  async function alreadyApplied(items: RunItem[]): Promise<boolean[]> {
    return Promise.all(
      items.map(async (item) => {
        try {
          const user = await platform.client.getUser(item.id);
          const current = user.revoke_tokens_issued_before;
          return cutoff === null ? current === null : current !== null && current.getTime() === cutoff.getTime();
        } catch (err) {
          if (err instanceof ApiError && err.code === 16) return false;
          throw err;
        }
      }),
    );
  }

  return { apply, alreadyApplied };
}

/**
 * Issue a token per user (`POST /v1/users/{id}/token`, or the compatibility-mode `PUT`), each with
 * a key derived from its batch's (`KEY/0`, `KEY/1`, ...): a resumed run gets the same tokens back
 * from the platform's replay instead of issuing new ones. Each outcome carries the output line.
 */
export function issueWork(platform: Platform, options: { expiresAtMs: number | undefined; compat: boolean }): BatchWork {
  const issueOptions: IssueTokenOptions = { compatibilityMode: options.compat };
  if (options.expiresAtMs !== undefined) issueOptions.expiresAt = new Date(options.expiresAtMs);
  return {
    async apply(items: RunItem[], key: string): Promise<ItemOutcome[]> {
      const outcomes: ItemOutcome[] = [];
      // One request at a time within a batch: --concurrency counts requests in flight.
      for (const [index, item] of items.entries()) {
        try {
          const issued = await platform.client.issueToken(item.id, { ...issueOptions, idempotencyKey: `${key}/${index}` });
          const expiresAtMs = issued.expiresAt.getTime();
          outcomes.push({
            status: 'done',
            expires_at: expiresAtMs,
            output: JSON.stringify({ user_id: item.id, token: issued.token, expires_at: expiresAtMs }),
          });
        } catch (err) {
          if (isFatal(err)) throw err;
          outcomes.push({ status: 'failed', error: errorRecord(err) });
        }
      }
      return outcomes;
    },
  };
}
