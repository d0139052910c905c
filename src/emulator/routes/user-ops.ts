import { isDeepStrictEqual } from 'node:util';
import type { Role, User } from '../../schemas/users';
import { platformError } from '../errors';
import { type RouteContext, newUser } from './context';

function withoutTimes(u: User): Record<string, unknown> {
  const { created_at: _c, updated_at: _u, ...rest } = u;
  return rest;
}

/**
 * Stores `after` in place of `before`: `updated_at` moves to now only where a field changed,
 * `created_at` never moves (docs/platform-api.md, "Users"). Returns the stored user.
 */
export function saveUser(ctx: RouteContext, before: User | undefined, after: User): User {
  const changed = !before || !isDeepStrictEqual(withoutTimes(before), withoutTimes(after));
  const stored: User = {
    ...after,
    created_at: before?.created_at ?? after.created_at,
    updated_at: changed ? new Date(ctx.nowMs) : (before?.updated_at ?? after.updated_at),
  };
  ctx.state.setUser(stored);
  return stored;
}

/**
 * Replaces a user's name and custom fields (a `PUT`), keeping `role` unless given, and keeping
 * `created_at`, the revocation cutoff and `requires_token`. Creates the user where it is new.
 */
export function replacedUser(ctx: RouteContext, id: string, content: Record<string, unknown>, role: Role | undefined): User {
  const before = ctx.state.users.get(id);
  if (!before) return newUser(id, ctx.nowMs, role ? { ...content, role } : content);
  return {
    id,
    role: role ?? before.role,
    ...content,
    created_at: before.created_at,
    updated_at: before.updated_at,
    revoke_tokens_issued_before: before.revoke_tokens_issued_before,
    requires_token: before.requires_token,
  } as User;
}

/** A copy of `user` with `set` written and `unset` removed. */
export function patchedUser(user: User, set: Record<string, unknown> | undefined, unset: readonly string[] | undefined): User {
  const next: Record<string, unknown> = { ...user };
  for (const [k, v] of Object.entries(set ?? {})) if (v !== undefined) next[k] = v;
  for (const k of unset ?? []) delete next[k];
  return next as User;
}

/** The user, or 404 (code 16). */
export function existingUser(ctx: RouteContext, id: string): User {
  const user = ctx.state.users.get(id);
  if (!user) throw platformError('notFound', `user "${id}" not found`);
  return user;
}
