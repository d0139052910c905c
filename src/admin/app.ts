import { ArgumentError } from '../errors';
import { type RequestOptions, type Transport, type WriteOptions, validateRequestOptions, validateWriteOptions } from '../http/transport';
import type { App, AppPatch } from '../schemas/app';
import { adminEndpoints } from '../schemas/endpoints';
import { validateCutoff } from './users';

/** `GET /v1/app`. */
export async function getApp(http: Transport, options?: RequestOptions): Promise<App> {
  const res = await http.call(adminEndpoints.getApp, validateRequestOptions(options));
  return res.app;
}

/** `PATCH /v1/app` with any subset of the writable settings. */
export async function updateApp(http: Transport, patch: AppPatch, options?: WriteOptions): Promise<App> {
  const { idempotencyKey, ...request } = validateWriteOptions(options, 'updateApp options');
  const prepared = http.prepare(adminEndpoints.updateApp, { body: patch, idempotencyKey }, 'updateApp settings');
  const res = await http.send(prepared, request);
  return res.app;
}

/**
 * Sets the app's cutoff. A date is required: revoking every token of every user is too big to
 * happen because an argument was forgotten.
 */
export async function revokeAppTokens(http: Transport, before: Date, options?: RequestOptions): Promise<App> {
  if (before === undefined || before === null) {
    throw new ArgumentError(
      'revokeAppTokens needs the cutoff: it revokes every token of every user issued before it. ' +
        'Pass revokeAppTokens(new Date()) to revoke all tokens issued until now; restoreAppTokens() undoes it.',
      [{ path: 'before', message: 'expected a Date (required)' }],
    );
  }
  // Only the request options (no idempotencyKey), as the public signature says.
  return updateApp(http, { revoke_tokens_issued_before: validateCutoff(before, 'before') }, validateRequestOptions(options));
}
