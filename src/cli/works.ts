import type { IssueTokenOptions } from '../admin/tokens';
import { unknownIdsIn } from '../bulk/operations';
import { ApiError } from '../errors';
import type { BatchWork, ItemOutcome, RunItem } from './batch-run';
import { type Platform, errorRecord, isFatal, refusedForAnItem } from './platform';

/** What becomes of an id that names no user (--missing): fail it, skip it, or create the user. */
export type Missing = 'fail' | 'skip' | 'create';

/** What a dry run finds for an item: it would change, it is as wanted already, or no such user. */
export type Preview = 'change' | 'same' | 'unknown';

/** The outcomes of an item applied (shared: outcomes are read, never changed). */
const DONE: ItemOutcome = Object.freeze({ status: 'done' });
const CREATED: ItemOutcome = Object.freeze({ status: 'done', note: 'created' });

/** The outcome of an unknown user under --missing fail or skip (create never gets here). */
function unknownOutcome(id: string, missing: Missing): ItemOutcome {
  return missing === 'skip'
    ? { status: 'skipped', error: { code: 16, message: `user "${id}" not found (--missing skip)` } }
    : { status: 'failed', error: { code: 16, message: `user "${id}" not found` } };
}

function isUnknownUser(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && err.code === 16;
}

/** Creates users with just their ids (--missing create), with a key derived from the batch's. */
async function createUsers(platform: Platform, ids: string[], key: string): Promise<void> {
  await platform.client.upsertUsers(
    ids.map((id) => ({ id })),
    { idempotencyKey: key },
  );
}

/** What a dry run finds for each item: its user read back (`GET /v1/users?ids=`), compared by `same`. */
async function previewBy(platform: Platform, items: RunItem[], same: (user: { revoke_tokens_issued_before: Date | null }) => boolean): Promise<Preview[]> {
  const { users } = await platform.client.queryUsers({ ids: items.map((i) => i.id) });
  const byId = new Map(users.map((u) => [u.id, u]));
  return items.map((i) => {
    const user = byId.get(i.id);
    return user === undefined ? 'unknown' : same(user) ? 'same' : 'change';
  });
}

/**
 * Revoke (a cutoff) or restore (null) a batch of users in one `PATCH /v1/users`. The platform
 * applies a batch all or nothing: where it refuses unknown users, it names them
 * (`unknown_user_ids`), and the rest is sent again without them under a key derived from the
 * batch's (`KEY/k`); with --missing create, the users are created first (`KEY/c`) and the whole
 * batch sent again (`KEY/r`). A refusal that names no ids splits the batch in halves (`KEY/0`,
 * `KEY/1`). The derived keys are the same on every run, so a resumed run replays them too.
 */
export function cutoffWork(platform: Platform, cutoff: Date | null, missing: Missing = 'fail'): BatchWork {
  async function apply(items: RunItem[], key: string, created?: ReadonlySet<string>, checked = false): Promise<ItemOutcome[]> {
    // At most 100 items (--batch-size), so one request; the cutoff is the run's, fixed in its report.
    const ids = items.map((i) => i.id);
    try {
      await platform.setCutoffs(ids, cutoff, key, checked);
      return items.map((i) => (created?.has(i.id) ? CREATED : DONE));
    } catch (err) {
      if (isFatal(err)) throw err;
      const unknown = unknownIdsIn(err, ids);
      if (unknown !== undefined) {
        if (missing === 'create' && created === undefined) {
          try {
            await createUsers(platform, [...unknown], `${key}/c`);
          } catch (createErr) {
            if (isFatal(createErr)) throw createErr;
            const error = errorRecord(createErr);
            return items.map(() => ({ status: 'failed', error }));
          }
          return apply(items, `${key}/r`, unknown, checked);
        }
        const rest = items.filter((i) => !unknown.has(i.id));
        const done = rest.length > 0 ? await apply(rest, `${key}/k`, created ?? new Set(), checked) : [];
        let r = 0;
        return items.map((i) => (unknown.has(i.id) ? unknownOutcome(i.id, missing) : (done[r++] as ItemOutcome)));
      }
      if (items.length > 1 && refusedForAnItem(err)) {
        const mid = Math.ceil(items.length / 2);
        const [a, b] = await Promise.all([apply(items.slice(0, mid), `${key}/0`, created, checked), apply(items.slice(mid), `${key}/1`, created, checked)]);
        return [...a, ...b];
      }
      if (items.length === 1 && isUnknownUser(err) && missing !== 'create') return [unknownOutcome(items[0]!.id, missing)];
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

  const preview = (items: RunItem[]): Promise<Preview[]> =>
    previewBy(platform, items, (u) =>
      cutoff === null ? u.revoke_tokens_issued_before === null : u.revoke_tokens_issued_before?.getTime() === cutoff.getTime(),
    );

  return { apply: (items, key, checked) => apply(items, key, undefined, checked), alreadyApplied, preview };
}

/**
 * Issue a token per user (`POST /v1/users/{id}/token`, or the compatibility-mode `PUT`), each with
 * a key derived from its batch's (`KEY/0`, `KEY/1`, ...): a resumed run gets the same tokens back
 * from the platform's replay instead of issuing new ones. Each outcome carries the output line.
 * An unknown user fails, is skipped, or is created first (`KEY/i/c`, then issued with `KEY/i/r`).
 */
export function issueWork(platform: Platform, options: { expiresAtMs: number | undefined; compat: boolean; missing?: Missing | undefined }): BatchWork {
  const issueOptions: IssueTokenOptions = { compatibilityMode: options.compat };
  if (options.expiresAtMs !== undefined) issueOptions.expiresAt = new Date(options.expiresAtMs);
  const missing = options.missing ?? 'fail';
  const issueOne = async (id: string, key: string, created: boolean): Promise<ItemOutcome> => {
    try {
      const issued = await platform.client.issueToken(id, { ...issueOptions, idempotencyKey: created ? `${key}/r` : key });
      const expiresAtMs = issued.expiresAt.getTime();
      const outcome: ItemOutcome = { status: 'done', expires_at: expiresAtMs, output: JSON.stringify({ user_id: id, token: issued.token, expires_at: expiresAtMs }) };
      return created ? { ...outcome, note: 'created' } : outcome;
    } catch (err) {
      if (isFatal(err)) throw err;
      // In compatibility mode the PUT creates the user itself: no 16 there.
      if (!created && isUnknownUser(err)) {
        if (missing !== 'create') return unknownOutcome(id, missing);
        try {
          await createUsers(platform, [id], `${key}/c`);
        } catch (createErr) {
          if (isFatal(createErr)) throw createErr;
          return { status: 'failed', error: errorRecord(createErr) };
        }
        return issueOne(id, key, true);
      }
      return { status: 'failed', error: errorRecord(err) };
    }
  };
  return {
    async apply(items: RunItem[], key: string): Promise<ItemOutcome[]> {
      const outcomes: ItemOutcome[] = [];
      // One request at a time within a batch: --concurrency counts requests in flight.
      for (const [index, item] of items.entries()) outcomes.push(await issueOne(item.id, `${key}/${index}`, false));
      return outcomes;
    },
    // A token would be issued to every user that exists (each issuance is a new token); in
    // compatibility mode the PUT creates an unknown user as well.
    preview: async (items) => (await previewBy(platform, items, () => false)).map((p) => (p === 'unknown' && options.compat ? 'change' : p)),
  };
}
