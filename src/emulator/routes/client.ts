import type { AuthKind } from '../../schemas/client-routes';
import type { clientEndpoints } from '../../schemas/endpoints';
import { bearerToken, checkClientToken } from '../auth';
import { platformError, tokenError } from '../errors';
import { type Handlers, type RouteContext, newUser, recordWrite } from './context';
import { existingUser, patchedUser, saveUser } from './user-ops';

/**
 * How long a guest's token lives: 24 hours (docs/platform-api.md, "Client routes and connections").
 *
 * @example
 * ```ts
 * import { GUEST_TOKEN_SECONDS } from 'tokenkit/emulator';
 * await chat.setGuestUser({ id: 'visitor-1' });
 * console.log(`a guest token lives ${GUEST_TOKEN_SECONDS / 3600} hours`); // 24
 * ```
 */
export const GUEST_TOKEN_SECONDS = 24 * 3600;

/** Who is asking: a user with a token, a user without one, or an anonymous connection. */
interface Identity {
  userId: string | null;
  auth: AuthKind;
}

function connectionId(ctx: RouteContext): string | undefined {
  const v = ctx.headers['x-connection-id'];
  return Array.isArray(v) ? v[0] : v;
}

function denyLogin(ctx: RouteContext): boolean {
  return ctx.state.app.access_token_permission === 'deny_login';
}

/**
 * Who sent a client request (docs/platform-api.md, "Client routes and connections"): the token,
 * checked again on every request, or else the connection. No token and no known connection: 45.
 */
function identify(ctx: RouteContext): Identity {
  const token = bearerToken(ctx.headers);
  const id = connectionId(ctx);
  const connection = id === undefined ? undefined : ctx.state.connections.get(id);
  if (token !== undefined) {
    const expected = connection?.userId ?? undefined;
    const checked = checkClientToken(token, expected, ctx.auth);
    return { userId: checked.userId, auth: checked.auth };
  }
  if (denyLogin(ctx)) throw tokenError(45, 'token required: the app is in deny_login mode');
  if (!connection) throw tokenError(45, 'connect first: send the X-Connection-Id of a POST /v1/connect, or a token');
  if (connection.auth === 'jwt' || connection.auth === 'dev' || connection.auth === 'session') {
    throw tokenError(45, 'token required: this connection was opened with a token; send it with every request');
  }
  if (connection.userId !== null && ctx.state.users.get(connection.userId)?.requires_token) {
    throw tokenError(45, `token required: user "${connection.userId}" must always use a token`);
  }
  return connection;
}

/** The client routes of the contract (contract: "Client routes", "How the platform checks a user's request"). */
export const clientHandlers: Handlers<typeof clientEndpoints> = {
  connect: (ctx, input) => {
    if ('anonymous' in input) {
      if (denyLogin(ctx)) throw tokenError(45, 'token required: the app is in deny_login mode (no anonymous connections)');
      return { connection_id: ctx.state.openConnection({ userId: null, auth: 'anonymous' }), auth: 'anonymous' };
    }
    const token = bearerToken(ctx.headers);
    let userId: string;
    let auth: AuthKind;
    if (token !== undefined) {
      // A token proves the identity: an unknown user is created in every mode.
      const checked = checkClientToken(token, input.user_id, ctx.auth);
      userId = checked.userId;
      auth = checked.auth;
    } else {
      if (denyLogin(ctx)) throw tokenError(45, 'token required: the app is in deny_login mode');
      if (input.user_id === undefined) {
        throw platformError('input', 'Invalid request body: user_id: required when connecting without a token');
      }
      userId = input.user_id;
      auth = 'none';
      const existing = ctx.state.users.get(userId);
      if (existing?.requires_token) throw tokenError(45, `token required: user "${userId}" must always use a token`);
      if (!existing && ctx.state.app.access_token_permission === 'read_only') {
        throw platformError('notAllowed', `user "${userId}" does not exist, and creating it is a write: the app is read_only without a token`);
      }
    }
    let user = ctx.state.users.get(userId);
    if (!user) {
      user = saveUser(ctx, undefined, newUser(userId, ctx.nowMs));
      recordWrite(ctx, { userId, fields: [], created: true });
    }
    return { user, connection_id: ctx.state.openConnection({ userId, auth }), auth };
  },

  guest: (ctx, { user: input }) => {
    if (denyLogin(ctx)) throw tokenError(45, 'token required: the app is in deny_login mode (no guests)');
    const before = ctx.state.users.get(input.id);
    if (before && before.role !== 'guest') {
      throw platformError('notAllowed', `user "${input.id}" exists and is not a guest`);
    }
    const base = before ?? newUser(input.id, ctx.nowMs, { role: 'guest' });
    // A guest holds a token from now on: nobody may connect as it without one.
    const next = { ...base, ...(input.name !== undefined ? { name: input.name } : {}), requires_token: true };
    const user = saveUser(ctx, before, next);
    recordWrite(ctx, { userId: input.id, fields: input.name !== undefined ? ['name'] : [], ...(before ? {} : { created: true }), tokenIssued: 'jwt' });
    const iatMs = ctx.state.issuer.mintNow();
    const access_token = ctx.state.secrets.keyring.sign({
      user_id: input.id,
      iat: iatMs / 1000,
      exp: Math.floor(iatMs / 1000) + GUEST_TOKEN_SECONDS,
    });
    return { user, access_token };
  },

  getUser: (ctx) => {
    identify(ctx);
    return { user: existingUser(ctx, ctx.id) };
  },

  updateMe: (ctx, { set, unset }) => {
    const who = identify(ctx);
    if (who.userId === null) throw platformError('notAllowed', 'an anonymous connection may only read');
    if (who.auth === 'none' && ctx.state.app.access_token_permission === 'read_only') {
      throw platformError('notAllowed', 'the app is read_only without a token: writes need a token');
    }
    const user = existingUser(ctx, who.userId);
    const fields = [...Object.keys(set ?? {}), ...(unset ?? [])];
    if (user.role === 'guest') {
      const other = fields.filter((f) => f !== 'name');
      if (other.length > 0) throw platformError('notAllowed', `a guest may only write its name (not ${other.join(', ')})`);
    }
    const stored = saveUser(ctx, user, patchedUser(user, set, unset));
    recordWrite(ctx, { userId: who.userId, fields });
    return { user: stored };
  },
};
