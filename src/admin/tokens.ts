import { z } from 'zod';
import { ApiError, ArgumentError, ResponseShapeError } from '../errors';
import { type RequestOptions, type Transport, type WriteOptions, validateWriteOptions } from '../http/transport';
import { parseArgument, requestOptionsShape, validateUserId } from '../schemas/validate';
import { idempotencyKeySchema } from '../schemas/common';
import { PLATFORM_CODES } from '../schemas/codes';
import { adminEndpoints } from '../schemas/endpoints';
import { SYSTEM_FIELDS } from '../schemas/users';
import { getApp } from './app';
import type { MintClock } from './clock';
import { observeCutoff } from './users';

/**
 * A token the platform issued, and when it expires.
 *
 * @example
 * ```ts
 * import type { IssuedToken } from 'tokenkit';
 * const issued: IssuedToken = await client.issueToken('alice');
 * console.log(issued.expiresAt.toISOString()); // seven days from now
 * ```
 */
export interface IssuedToken {
  /** The token: a JWT, or an opaque session token where the app has `jwt_enabled: false`. Secret. */
  token: string;
  /** When the token expires. */
  expiresAt: Date;
}

/**
 * The options of `issueToken`. An `idempotencyKey` goes on the request that issues the token: the
 * `POST`, or in compatibility mode the `PUT` (not the `GET` before it). The `PUT` sends the
 * user's fields as read, so a repeat with the key is replayed only while the user is unchanged.
 *
 * @example
 * ```ts
 * import type { IssueTokenOptions } from 'tokenkit';
 * const options: IssueTokenOptions = { expiresAt: new Date(Date.now() + 24 * 3600_000) };
 * const { token: issued } = await client.issueToken('alice', options);
 * ```
 */
export interface IssueTokenOptions extends WriteOptions {
  /** When the token expires (default: the platform's, 7 days). Must be in the future. */
  expiresAt?: Date | undefined;
  /** Issue through the user-update call (`PUT /v1/users/{id}` with `issue_session_token`). Default: the client's option. */
  compatibilityMode?: boolean | undefined;
}

const issueOptionsSchema = z.strictObject({
  expiresAt: z.date({ error: 'expected a valid Date' }).optional(),
  compatibilityMode: z.boolean({ error: 'expected true or false' }).optional(),
  ...requestOptionsShape,
  idempotencyKey: idempotencyKeySchema.optional(),
});

/** Validates `issueToken`'s options; an {@link ArgumentError} names the field. */
export function validateIssueOptions(options: unknown): IssueTokenOptions {
  // Only undefined means "no options": null is refused like any other wrong type.
  const parsed = parseArgument(issueOptionsSchema, options === undefined ? {} : options, 'issueToken options');
  const { expiresAt } = parsed;
  const nowMs = Date.now();
  if (expiresAt !== undefined && expiresAt.getTime() <= nowMs) {
    throw new ArgumentError(`Invalid expiresAt: ${expiresAt.toISOString()} is in the past`, [{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  // A JWT's exp is whole seconds: the platform refuses an expiry before the next whole second
  // (docs/platform-api.md, "Token routes"), so it is refused here, before any request.
  if (expiresAt !== undefined && Math.floor(expiresAt.getTime() / 1000) * 1000 <= nowMs) {
    const next = new Date((Math.floor(nowMs / 1000) + 1) * 1000).toISOString();
    throw new ArgumentError(
      `Invalid expiresAt: ${expiresAt.toISOString()} is inside the current second, and a token's exp is whole seconds: the token would be expired at once. Give ${next} or later`,
      [{ path: 'expiresAt', message: 'must be at least the next whole second' }],
    );
  }
  return parsed;
}

const SKIP_ON_PUT = new Set<string>([...SYSTEM_FIELDS, 'role', 'revoke_tokens_issued_before']);

/**
 * Compatibility mode: `PUT /v1/users/{id}` with `issue_session_token: true`. The PUT replaces the
 * user's name and custom fields (docs/platform-api.md, "Users"), so they are read first and sent
 * back unchanged: issuing a token must not wipe a profile.
 */
async function issueThroughPut(http: Transport, userId: string, expiresAt: Date | undefined, options: WriteOptions): Promise<IssuedToken> {
  const { idempotencyKey, ...request } = options;
  const fields: Record<string, unknown> = {};
  try {
    const current = await http.call(adminEndpoints.getUser, { ...request, params: { id: userId } });
    for (const [k, v] of Object.entries(current.user)) if (!SKIP_ON_PUT.has(k)) fields[k] = v;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 16)) throw err; // unknown user: the PUT creates it
  }
  const body = { ...fields, issue_session_token: true as const, ...(expiresAt ? { session_token_expires_at: expiresAt.getTime() } : {}) };
  let res;
  try {
    res = await http.call(adminEndpoints.putUser, { ...request, params: { id: userId }, body, idempotencyKey });
  } catch (err) {
    throw await explainCompatibilityRefusal(http, err, request);
  }
  const first = res.session_tokens[0];
  if (!first) {
    throw new ResponseShapeError(`PUT /v1/users/${userId} with issue_session_token answered no session token`, [
      { path: 'session_tokens', message: 'expected one session token' },
    ]);
  }
  return { token: first.session_token, expiresAt: new Date(first.expires_at) };
}

/**
 * A refused compatibility-mode issue (400, code 4) is explained when the app's settings are the
 * cause, without matching the platform's message text: the app is read back to find out.
 */
async function explainCompatibilityRefusal(http: Transport, err: unknown, options: RequestOptions): Promise<unknown> {
  if (!(err instanceof ApiError && err.status === 400 && err.code === PLATFORM_CODES.input.code)) return err;
  let app;
  try {
    app = await getApp(http, options);
  } catch {
    return err;
  }
  if (!app.jwt_enabled || app.jwt_compatibility_mode) return err;
  const explained = new ApiError({
    status: err.status,
    code: err.code,
    message:
      "issueToken with compatibilityMode needs the app's jwt_compatibility_mode, which is off. Nothing was changed. " +
      'Turn it on with client.updateApp({ jwt_compatibility_mode: true }), or drop compatibilityMode to issue through POST /v1/users/{id}/token',
    requestId: err.requestId,
    rateLimit: err.rateLimit,
    method: err.method,
    path: err.path,
    headers: err.requestHeaders,
    cause: err,
  });
  appWideRefusals.add(explained);
  return explained;
}

// Refusals that every user would get alike (the app's settings are the cause): a bulk run stops
// at the first one instead of asking again for each id.
const appWideRefusals = new WeakSet<Error>();

/** Whether `error` is a refusal caused by the app's settings, the same for every user. */
export function isAppWideRefusal(error: Error): boolean {
  return appWideRefusals.has(error);
}

/** `POST /v1/users/{id}/token`, or the compatibility-mode PUT. */
export async function issueToken(http: Transport, userId: string, options: IssueTokenOptions | undefined, clientCompatibilityMode: boolean): Promise<IssuedToken> {
  const id = validateUserId(userId);
  const { expiresAt, compatibilityMode, ...request } = validateIssueOptions(options);
  if (compatibilityMode ?? clientCompatibilityMode) return issueThroughPut(http, id, expiresAt, request);
  // Always a body, so the request carries an Idempotency-Key: a retried issue answers the same token.
  const body = expiresAt ? { expires_at: expiresAt.getTime() } : {};
  const res = await http.call(adminEndpoints.issueToken, { ...request, params: { id }, body });
  return { token: res.token, expiresAt: new Date(res.expires_at) };
}

/**
 * What `revokeAllTokens` answers: the cutoff the platform set, by its own clock.
 *
 * @example
 * ```ts
 * import type { RevokeAllTokensResult } from 'tokenkit';
 * const result: RevokeAllTokensResult = await client.revokeAllTokens('alice');
 * console.log(result.revokeTokensIssuedBefore instanceof Date); // true
 * ```
 */
export interface RevokeAllTokensResult {
  /** The user's new revocation cutoff: the platform's now when it handled the request. */
  revokeTokensIssuedBefore: Date;
}

/**
 * `DELETE /v1/users/{id}/token`. It has no body, so it carries an `Idempotency-Key` only where the
 * caller gives one: then a repeat is answered with the first cutoff instead of setting a later one.
 */
export async function revokeAllTokens(http: Transport, clock: MintClock, userId: string, options: WriteOptions | undefined): Promise<RevokeAllTokensResult> {
  const id = validateUserId(userId);
  const opts = validateWriteOptions(options, 'revokeAllTokens options');
  const res = await http.call(adminEndpoints.revokeAllTokens, { ...opts, params: { id } });
  // This client's next token is stamped after the platform's cutoff: "revoke, then mint" works.
  observeCutoff(clock, res.revoke_tokens_issued_before);
  return { revokeTokensIssuedBefore: res.revoke_tokens_issued_before };
}
