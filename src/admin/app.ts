import { ArgumentError } from '../errors';
import { type RequestOptions, type Transport, type WriteOptions, validateRequestOptions, validateWriteOptions } from '../http/transport';
import type { App, AppPatch } from '../schemas/app';
import { adminEndpoints } from '../schemas/endpoints';
import type { MintClock } from './clock';
import { observeCutoff, validateCutoff } from './users';

/** `GET /v1/app`. */
export async function getApp(http: Transport, options?: RequestOptions): Promise<App> {
  const res = await http.call(adminEndpoints.getApp, validateRequestOptions(options));
  return res.app;
}

/**
 * `PATCH /v1/app` with any subset of the writable settings. A given `revoke_tokens_issued_before`
 * goes through the client's rule ({@link MintClock.givenCutoff}); the answered one is noted.
 */
export async function updateApp(http: Transport, clock: MintClock, patch: AppPatch, options?: WriteOptions): Promise<App> {
  const { idempotencyKey, ...request } = validateWriteOptions(options, 'updateApp options');
  const given = typeof patch === 'object' && patch !== null ? (patch as { revoke_tokens_issued_before?: unknown }).revoke_tokens_issued_before : undefined;
  // A copy with the raised cutoff: the caller's patch is not changed.
  const body = given instanceof Date && !Number.isNaN(given.getTime()) ? { ...patch, revoke_tokens_issued_before: new Date(clock.givenCutoff(given.getTime())) } : patch;
  const prepared = http.prepare(adminEndpoints.updateApp, { body, idempotencyKey }, 'updateApp settings');
  const res = await http.send(prepared, request);
  observeCutoff(clock, res.app.revoke_tokens_issued_before);
  return res.app;
}

/**
 * What `revokeAppTokens` takes for "now": the string `'now'`, spelt out, so that revoking every
 * token of every user never happens because an argument was forgotten.
 *
 * @example
 * ```ts
 * import type { AppCutoff } from 'tokenkit';
 * const cutoff: AppCutoff = 'now';
 * await client.revokeAppTokens(cutoff);
 * ```
 */
export type AppCutoff = Date | 'now';

/**
 * Sets the app's cutoff. It is required, `'now'` or a `Date`: revoking every token of every user is
 * too big to happen because an argument was forgotten. `'now'` is picked by the client's clock
 * after every token it minted, as `revokeUserTokens` does without a date.
 */
export async function revokeAppTokens(http: Transport, clock: MintClock, before: AppCutoff, options?: RequestOptions): Promise<App> {
  if (before === undefined || before === null) {
    throw new ArgumentError(
      "revokeAppTokens needs the cutoff (before): it revokes every token of every user issued up to it. " +
        "Pass revokeAppTokens('now') to revoke every token issued until now; restoreAppTokens() undoes it.",
      [{ path: 'before', message: "expected 'now' or a Date (required)" }],
    );
  }
  if (typeof before === 'string' && before !== 'now') {
    throw new ArgumentError(`Invalid before: expected 'now' or a Date, got the string ${JSON.stringify(String(before).slice(0, 40))} (pass new Date(text) for a date)`, [
      { path: 'before', message: "expected 'now' or a Date" },
    ]);
  }
  const opts = validateRequestOptions(options);
  const cutoff = before === 'now' ? new Date(clock.cutoffNow()) : validateCutoff(before, 'before');
  // Only the request options (no idempotencyKey), as the public signature says.
  return await updateApp(http, clock, { revoke_tokens_issued_before: cutoff }, opts);
}
