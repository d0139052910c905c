import { z } from 'zod';
import { isoDateSchema } from './common';

/** How the platform treats users who connect without a token. */
export const accessTokenPermissionSchema = z.enum(['deny_login', 'read_only', 'read_write'], {
  error: 'expected one of "deny_login", "read_only", "read_write"',
});
export type AccessTokenPermission = z.infer<typeof accessTokenPermissionSchema>;

/** The app settings (contract: "App settings"). Lenient to fields a newer platform adds. */
export const appSchema = z.looseObject({
  revoke_tokens_issued_before: isoDateSchema.nullable(),
  disable_auth_checks: z.boolean(),
  access_token_permission: accessTokenPermissionSchema,
  jwt_enabled: z.boolean(),
  jwt_compatibility_mode: z.boolean(),
});
/** The app settings, with dates as `Date`. */
export type App = z.output<typeof appSchema>;

/** `PATCH /v1/app`: any subset of the writable settings; nothing else. */
export const appPatchSchema = z
  .strictObject({
    revoke_tokens_issued_before: isoDateSchema.nullable().optional(),
    disable_auth_checks: z.boolean().optional(),
    access_token_permission: accessTokenPermissionSchema.optional(),
    jwt_enabled: z.boolean().optional(),
    jwt_compatibility_mode: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { error: 'give at least one setting to change' });
/** What `updateApp` takes: `revoke_tokens_issued_before` is a `Date` or `null` (undo). */
export type AppPatch = z.output<typeof appPatchSchema>;

export const appResponseSchema = z.looseObject({ app: appSchema });
