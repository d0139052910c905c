import type { IncomingHttpHeaders } from 'node:http';
import { TokenError } from '../errors';
import { numericDateToMs } from '../tokens/claims';
import { decodeJsonSegment, refuseCrit, segmentFault } from '../tokens/jws';
import { SERVER_TOKEN_MAX_SECONDS } from '../tokens/mint';
import { MAX_TOKEN_LENGTH, checkUserToken } from '../tokens/verify';
import { platformError, tokenError } from './errors';
import { type EmulatorState, hashSessionToken } from './state';

/** What the checks need to know about the app's credentials and clock (the secrets are in `state`). */
export interface AuthContext {
  apiKey: string;
  state: EmulatorState;
  nowMs: number;
  toleranceSeconds: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `Api-Key` must be the app's key (code 2). The query string is never read. */
export function checkApiKey(headers: IncomingHttpHeaders, apiKey: string): void {
  const given = header(headers, 'api-key');
  if (given === undefined || given === '') throw platformError('apiKey', 'Api-Key header is missing');
  if (given !== apiKey) throw platformError('apiKey', 'Api-Key is not the key of this app');
}

/** The token of `Authorization: Bearer <token>`; undefined without the header; 43 for any other form. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = header(headers, 'authorization');
  if (value === undefined) return undefined;
  const m = /^Bearer +(\S+)\s*$/i.exec(value);
  if (!m || m[1] === undefined) throw tokenError(43, 'Authorization header malformed: expected "Bearer <token>"');
  return m[1];
}

/** Whether a token claims to be a server token (`server: true`), without checking it: used to route `GET /v1/users/{id}`. */
export function claimsServer(token: string | undefined): boolean {
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) return false;
  const payload = token.split('.')[1];
  return payload !== undefined && decodeJsonSegment(payload)?.['server'] === true;
}

function isSeconds(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * Admin authentication (docs/platform-api.md, "Admin authentication"): a server token, HS256,
 * signed with an app secret that is not retired (by the kid rule), `server: true`, `exp` at most 300 s after `iat`. Signatures are
 * always checked here, whatever `disable_auth_checks` says.
 */
export function checkServerToken(token: string | undefined, ctx: AuthContext): void {
  if (token === undefined) {
    throw tokenError(45, 'Authorization header is missing: admin routes need "Bearer <server token>" (a JWT with server: true, signed with the app secret)');
  }
  if (token.length > MAX_TOKEN_LENGTH) throw tokenError(43, `server token malformed: longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw tokenError(43, 'server token malformed: expected a JWT (three dot-separated parts)');
  const [h = '', p = '', s = ''] = parts;
  const head = decodeJsonSegment(h);
  if (!head) throw tokenError(43, `server token malformed: the header ${segmentFault(h)}`);
  if (head['alg'] !== 'HS256') throw tokenError(43, 'server token refused: the algorithm must be HS256');
  const crit = refuseCrit(head);
  if (crit) throw tokenError(43, `server token malformed: ${crit}`);
  // By the kid rule, as user tokens (docs/platform-api.md, "App secrets and rotation"): 44 for a retired secret.
  try {
    ctx.state.secrets.keyring.verify(head['kid'], h + '.' + p, s, 'server token');
  } catch (err) {
    if (err instanceof TokenError) throw tokenError(err.code, err.message);
    throw err;
  }
  const claims = decodeJsonSegment(p);
  if (!claims) throw tokenError(43, `server token malformed: the payload ${segmentFault(p)}`);
  if (claims['server'] !== true) throw platformError('notAllowed', 'a user token may not call admin routes: use a server token (server: true)');
  const { exp, iat, nbf } = claims;
  if (!isSeconds(exp)) throw tokenError(43, 'server token malformed: exp is missing or not a number of seconds');
  if (!isSeconds(iat)) throw tokenError(43, 'server token malformed: iat is missing or not a number of seconds');
  if (exp - iat > SERVER_TOKEN_MAX_SECONDS) {
    throw tokenError(43, `server token refused: exp is more than ${SERVER_TOKEN_MAX_SECONDS} s after iat`);
  }
  if (numericDateToMs(exp) <= ctx.nowMs) throw tokenError(40, 'server token expired: mint a new one');
  const toleranceMs = ctx.toleranceSeconds * 1000;
  if (numericDateToMs(iat) > ctx.nowMs + toleranceMs) {
    throw tokenError(42, 'server token issued in the future: more than the clock tolerance ahead (check the server clocks)');
  }
  // A wrong type is malformed (43), as for user tokens; only a real time too far ahead is 41.
  if (nbf !== undefined && !isSeconds(nbf)) throw tokenError(43, 'server token malformed: nbf is not a number of seconds');
  if (nbf !== undefined && numericDateToMs(nbf) > ctx.nowMs + toleranceMs) {
    throw tokenError(41, 'server token not valid yet: nbf is more than the clock tolerance ahead (check the server clocks)');
  }
}

/** The `user_id` a token's payload names, read without checking anything; undefined where it names none. */
function claimedUserId(token: string): unknown {
  const dot = token.indexOf('.');
  const end = token.indexOf('.', dot + 1);
  if (dot < 0 || end < 0) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.slice(dot + 1, end), 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['user_id'] : undefined;
  } catch {
    return undefined;
  }
}

/** A user token that passed the checks: whose it is and what kind it is. */
export interface CheckedUserToken {
  userId: string;
  auth: 'jwt' | 'dev' | 'session';
}

/**
 * The contract's steps 2 to 5 for a user token: a stored legacy session token (40 once expired,
 * 44 once deleted), else a dev token or a JWT by `checkUserToken` (the SDK's own rules), with the
 * user's and the app's revocation cutoffs. `expectedUserId`, where given, must be the token's user (46).
 */
export function checkClientToken(token: string, expectedUserId: string | undefined, ctx: AuthContext): CheckedUserToken {
  // Refused before any lookup or decoding: hostile input is cheap to refuse.
  if (token.length > MAX_TOKEN_LENGTH) throw tokenError(43, `token malformed: longer than ${MAX_TOKEN_LENGTH} characters`);
  // Session tokens are base64url without dots; a JWT or dev token is never looked up.
  if (!token.includes('.')) {
    const session = ctx.state.sessions.get(hashSessionToken(token));
    if (session) {
      if (session.deleted) throw tokenError(44, 'session token revoked: it was deleted by DELETE /v1/users/{id}/token');
      if (session.expiresAt <= ctx.nowMs) throw tokenError(40, `session token expired at ${new Date(session.expiresAt).toISOString()}`);
      if (expectedUserId !== undefined && session.userId !== expectedUserId) {
        throw tokenError(46, `token belongs to another user (token user "${session.userId}", request for "${expectedUserId}")`);
      }
      return { userId: session.userId, auth: 'session' };
    }
  }
  // The user's cutoff is the token's user's: read its user_id first. Read loosely (checkUserToken
  // checks the token, its payload and the type, and refuses it before the cutoff matters unless
  // the payload is this same valid JSON), so the payload is decoded strictly once, not twice.
  const claimed = claimedUserId(token);
  const cutoffMs = typeof claimed === 'string' ? ctx.state.users.cutoffMs(claimed) : undefined;
  try {
    const { claims, kind } = checkUserToken(ctx.state.secrets.keyring, token, {
      userId: expectedUserId,
      revokedBefore: { user: cutoffMs == null ? null : new Date(cutoffMs), app: ctx.state.app.revoke_tokens_issued_before },
      disableAuthChecks: ctx.state.app.disable_auth_checks,
      clockToleranceSeconds: ctx.toleranceSeconds,
      nowMs: ctx.nowMs,
    });
    // checkUserToken refuses a user_id that is not a valid user id (43): connect makes it a user.
    return { userId: claims.user_id, auth: kind };
  } catch (err) {
    if (err instanceof TokenError) throw tokenError(err.code, err.message);
    throw err;
  }
}
