import { z } from 'zod';
import { isoDateSchema } from './common';

/** How the platform treats users who connect without a token. */
export const accessTokenPermissionSchema = z.enum(['deny_login', 'read_only', 'read_write'], {
  error: 'expected one of "deny_login", "read_only", "read_write"',
});
/**
 * What a user without a token may do: `deny_login` (nothing: every tokenless request is 45),
 * `read_only` (reads; writes are 17), `read_write` (everything, and a connect creates the user).
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { AccessTokenPermission } from 'tokenkit';
 * const mode: AccessTokenPermission = 'read_only';
 * await client.updateApp({ access_token_permission: mode });
 * ```
 */
export type AccessTokenPermission = z.infer<typeof accessTokenPermissionSchema>;

/** The app settings (contract: "App settings"). Lenient to fields a newer platform adds. */
export const appSchema = z.looseObject({
  /** The app's revocation cutoff: every token issued before it is refused (44); `null`: none. */
  revoke_tokens_issued_before: isoDateSchema.nullable(),
  /** Development only: dev tokens are accepted and signatures are not checked. Default false. */
  disable_auth_checks: z.boolean(),
  /** What a user without a token may do. Default `read_write`. */
  access_token_permission: accessTokenPermissionSchema,
  /** The platform issues JWTs (true, the default) or stored legacy session tokens (false). */
  jwt_enabled: z.boolean(),
  /** With `jwt_enabled`: a user update with `issue_session_token` issues a JWT. Default false. */
  jwt_compatibility_mode: z.boolean(),
});
/**
 * The app settings, with dates as `Date`.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { App } from 'tokenkit';
 * const settings: App = await client.getApp();
 * console.log(settings.jwt_enabled, settings.revoke_tokens_issued_before); // true null
 * ```
 */
export type App = z.output<typeof appSchema>;

/** `PATCH /v1/app`: any subset of the writable settings; nothing else. */
export const appPatchSchema = z
  .strictObject({
    /** A new app-wide revocation cutoff (a `Date`), or `null` to restore every token it revoked. */
    revoke_tokens_issued_before: isoDateSchema.nullable().optional(),
    /** Development only: accept dev tokens and skip signature checks. */
    disable_auth_checks: z.boolean().optional(),
    /** What a user without a token may do. */
    access_token_permission: accessTokenPermissionSchema.optional(),
    /** The platform issues JWTs (true) or stored legacy session tokens (false). */
    jwt_enabled: z.boolean().optional(),
    /** A user update with `issue_session_token` issues a JWT (the migration path). */
    jwt_compatibility_mode: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { error: 'give at least one setting to change' });
/**
 * What `updateApp` takes: `revoke_tokens_issued_before` is a `Date` or `null` (undo).
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { AppPatch } from 'tokenkit';
 * const patch: AppPatch = { jwt_compatibility_mode: true };
 * await client.updateApp(patch);
 * ```
 */
export type AppPatch = z.output<typeof appPatchSchema>;

export const appResponseSchema = z.looseObject({ app: appSchema });
