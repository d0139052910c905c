import type { adminEndpoints } from '../../schemas/endpoints';
import { DEFAULT_PLATFORM_TOKEN_MS } from '../../schemas/tokens';
import { DEFAULT_USERS_PER_PAGE, UNKNOWN_USER_IDS_FIELD, type User } from '../../schemas/users';
import { PLATFORM_CODES } from '../../schemas/codes';
import { USER_ID_PATTERN } from '../../schemas/common';
import { PlatformError, platformError } from '../errors';
import type { AppSettings } from '../state';
import { type Handlers, type RouteContext, contentFields, recordWrite } from './context';
import { secretHandlers } from './secrets';
import { existingUser, patchedUser, replacedUser, saveUser } from './user-ops';

/**
 * The message of the PUT issuance refusal (docs/platform-api.md, "Issuance").
 *
 * @example
 * ```ts
 * import { COMPATIBILITY_MODE_OFF_MESSAGE } from 'tokenkit/emulator';
 * const res = await fetch(`${emulator.url}/v1/users/alice`, {
 *   method: 'PUT',
 *   headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${emulator.serverToken()}`, 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ issue_session_token: true }),
 * });
 * const body = (await res.json()) as { code: number; message: string };
 * console.log(res.status, body.code, body.message === COMPATIBILITY_MODE_OFF_MESSAGE); // 400 4 true
 * ```
 */
export const COMPATIBILITY_MODE_OFF_MESSAGE =
  'issue_session_token needs jwt_compatibility_mode: turn it on with PATCH /v1/app, or use POST /v1/users/{id}/token';

/**
 * A cutoff received in a request, through the issuer clock (`MintClock.givenCutoff`): one that falls
 * in or after the millisecond of the platform's last token is raised to that token's stamp, and the
 * platform's next token is stamped after it. Unchanged otherwise; `null` stays `null`.
 */
function givenCutoff(ctx: RouteContext, cutoff: Date | null): Date | null {
  if (cutoff === null) return null;
  const ms = ctx.state.issuer.givenCutoff(cutoff.getTime());
  return ms === cutoff.getTime() ? cutoff : new Date(ms);
}

/** Below this, a time in ms is 1973 or earlier: a value this small was meant as seconds (5138 in seconds). */
const SECONDS_THAT_LOOK_LIKE_MS = 1e11;

/** A page cursor: the last id of the page before, base64url, so that it reads as opaque. */
function encodeCursor(lastId: string): string {
  return Buffer.from(`after:${lastId}`).toString('base64url');
}

/** The id a cursor continues after; 400 (code 4) where it is not one this platform gave. */
function cursorId(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = text.startsWith('after:') ? text.slice(6) : '';
  if (!USER_ID_PATTERN.test(id)) throw platformError('input', 'Invalid query: cursor: not a cursor of GET /v1/users (pass the next of the page before)');
  return id;
}

/** A token's expiry, checked: in the future, and for a JWT at least at the next whole second. */
function tokenExpiry(ctx: RouteContext, field: string, given: number | undefined, jwt: boolean): number {
  if (given !== undefined && given < SECONDS_THAT_LOOK_LIKE_MS) {
    throw platformError(
      'input',
      `Invalid request body: ${field}: ${given} looks like seconds since the epoch; ${field} is milliseconds since the epoch (${given * 1000} for that time)`,
    );
  }
  const expiresAt = given ?? ctx.nowMs + DEFAULT_PLATFORM_TOKEN_MS;
  const effective = jwt ? Math.floor(expiresAt / 1000) * 1000 : expiresAt;
  if (effective <= ctx.nowMs) {
    throw platformError('input', `Invalid request body: ${field}: must be in the future` + (jwt ? ' (JWT exp is whole seconds)' : ''));
  }
  return expiresAt;
}

/**
 * Issues a token for `user` by the app's mode (contract: "Token issuance by the platform"), sets
 * `requires_token` for good, and stores the user. Returns the token, its expiry and the user.
 */
function issue(ctx: RouteContext, user: User, expiresAt: number): { token: string; expiresAt: number; user: User; kind: 'jwt' | 'session' } {
  let token: string;
  let kind: 'jwt' | 'session';
  if (ctx.state.app.jwt_enabled) {
    const exp = Math.floor(expiresAt / 1000);
    // Stamped by the issuer clock: after every cutoff the platform knows, even in this millisecond.
    token = ctx.state.secrets.keyring.sign({ user_id: user.id, iat: ctx.state.issuer.mintNow() / 1000, exp });
    expiresAt = exp * 1000;
    kind = 'jwt';
  } else {
    token = ctx.state.issueSession(user.id, expiresAt);
    kind = 'session';
  }
  const stored = saveUser(ctx, user, { ...user, requires_token: true });
  return { token, expiresAt, user: stored, kind };
}

/** The admin routes of the contract. Each runs after admin authentication. */
export const adminHandlers: Handlers<typeof adminEndpoints> = {
  getApp: (ctx) => ({ app: ctx.state.app }),

  updateApp: (ctx, patch) => {
    const next: AppSettings = { ...ctx.state.app };
    const fields: string[] = [];
    for (const k of ['revoke_tokens_issued_before', 'disable_auth_checks', 'access_token_permission', 'jwt_enabled', 'jwt_compatibility_mode'] as const) {
      if (patch[k] !== undefined) {
        Object.assign(next, { [k]: patch[k] });
        fields.push(k);
      }
    }
    if (patch.revoke_tokens_issued_before !== undefined) next.revoke_tokens_issued_before = givenCutoff(ctx, patch.revoke_tokens_issued_before);
    ctx.state.setApp(next);
    recordWrite(ctx, { fields });
    return { app: next };
  },

  upsertUsers: (ctx, { users }) => {
    // Entries, then Object.fromEntries: `out[id] = user` would set the prototype for the valid id
    // "__proto__" instead of adding it (an id never reaches an object's prototype).
    const out: Array<[string, User]> = [];
    for (const input of users) {
      const before = ctx.state.users.get(input.id);
      const content = contentFields(input, ['role']);
      const stored = saveUser(ctx, before, replacedUser(ctx, input.id, content, input.role));
      out.push([input.id, stored]);
      recordWrite(ctx, { userId: input.id, fields: Object.keys(input).filter((k) => k !== 'id'), ...(before ? {} : { created: true }) });
    }
    return { users: Object.fromEntries(out) };
  },

  getUser: (ctx) => ({ user: existingUser(ctx, ctx.id) }),

  queryUsers: (ctx, query) => {
    if (query.ids !== undefined) {
      const users: User[] = [];
      for (const id of new Set(query.ids)) {
        const user = ctx.state.users.get(id);
        if (user) users.push(user);
      }
      return { users, next: null };
    }
    const limit = query.limit ?? DEFAULT_USERS_PER_PAGE;
    const users = ctx.state.usersAfter(query.cursor === undefined ? undefined : cursorId(query.cursor), limit);
    const last = users[users.length - 1];
    // A full page may be the last one: the next request then answers no users and `next: null`.
    return { users, next: users.length === limit && last ? encodeCursor(last.id) : null };
  },

  updateUsersPartial: (ctx, { users }) => {
    // All or nothing: every user must exist before anything is written.
    const missing = users.map((u, i) => [u.id, i] as const).filter(([id]) => !ctx.state.users.has(id));
    if (missing.length > 0) {
      const list = missing.map(([id, i]) => `"${id}" (users.${i}.id)`).join(', ');
      // The ids, as data too (docs/platform-api.md, "Reading users back"): a client leaves them out
      // and sends the rest in one more request, rather than split the batch to find them.
      const { code, status } = PLATFORM_CODES.notFound;
      throw new PlatformError(status, code, `user ${list} not found; nothing was applied`, {
        fields: { [UNKNOWN_USER_IDS_FIELD]: missing.map(([id]) => id) },
      });
    }
    const out: Array<[string, User]> = [];
    for (const u of users) {
      const before = existingUser(ctx, u.id);
      const set = u.set && u.set['revoke_tokens_issued_before'] instanceof Date ? { ...u.set, revoke_tokens_issued_before: givenCutoff(ctx, u.set['revoke_tokens_issued_before']) } : u.set;
      out.push([u.id, saveUser(ctx, before, patchedUser(before, set, u.unset))]);
      recordWrite(ctx, { userId: u.id, fields: [...Object.keys(u.set ?? {}), ...(u.unset ?? [])] });
    }
    return { users: Object.fromEntries(out) };
  },

  putUser: (ctx, input) => {
    const { issue_session_token, session_token_expires_at } = input;
    const app = ctx.state.app;
    // Checked before anything is written: a refused issuance changes nothing.
    let expiresAt: number | undefined;
    if (issue_session_token) {
      if (app.jwt_enabled && !app.jwt_compatibility_mode) throw platformError('input', COMPATIBILITY_MODE_OFF_MESSAGE);
      expiresAt = tokenExpiry(ctx, 'session_token_expires_at', session_token_expires_at, app.jwt_enabled);
    }
    const before = ctx.state.users.get(ctx.id);
    const content = contentFields(input, ['role', 'issue_session_token', 'session_token_expires_at']);
    let user = saveUser(ctx, before, replacedUser(ctx, ctx.id, content, input.role));
    const fields = Object.keys(input).filter((k) => k !== 'issue_session_token' && k !== 'session_token_expires_at');
    const sessionTokens: Array<{ session_token: string; expires_at: number }> = [];
    let tokenIssued: 'jwt' | 'session' | undefined;
    if (expiresAt !== undefined) {
      const issued = issue(ctx, user, expiresAt);
      user = issued.user;
      tokenIssued = issued.kind;
      sessionTokens.push({ session_token: issued.token, expires_at: issued.expiresAt });
    }
    recordWrite(ctx, { userId: ctx.id, fields, ...(before ? {} : { created: true }), ...(tokenIssued ? { tokenIssued } : {}) });
    return { user, session_tokens: sessionTokens };
  },

  issueToken: (ctx, input) => {
    const user = existingUser(ctx, ctx.id);
    const expiresAt = tokenExpiry(ctx, 'expires_at', input.expires_at, ctx.state.app.jwt_enabled);
    const issued = issue(ctx, user, expiresAt);
    recordWrite(ctx, { userId: ctx.id, fields: [], tokenIssued: issued.kind });
    return { token: issued.token, expires_at: issued.expiresAt };
  },

  revokeAllTokens: (ctx) => {
    const user = existingUser(ctx, ctx.id);
    // "Now" by the issuer clock that stamps the platform's tokens: no earlier than every token it
    // issued, later than every cutoff it knows (docs/platform-api.md, "The revocation rule").
    const cutoff = new Date(ctx.state.issuer.cutoffNow());
    const deleted = ctx.state.deleteSessions(ctx.id);
    saveUser(ctx, user, { ...user, revoke_tokens_issued_before: cutoff });
    recordWrite(ctx, { userId: ctx.id, fields: deleted > 0 ? ['revoke_tokens_issued_before', 'session_tokens'] : ['revoke_tokens_issued_before'] });
    return { revoke_tokens_issued_before: cutoff };
  },

  ...secretHandlers,
};
