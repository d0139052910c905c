import { z } from 'zod';
import { userIdSchema, isoDateSchema } from './common';
import { customValuesAreJson, userSchema, userUnsetSchema } from './users';

export const connectRequestSchema = z.union([
  z.strictObject({ anonymous: z.literal(true) }),
  z.strictObject({ user_id: userIdSchema.optional() }),
]);

export const authKindSchema = z.enum(['jwt', 'dev', 'session', 'none', 'anonymous']);
/**
 * How the platform authenticated a connection: with a JWT, a dev token, a legacy session token,
 * without a token (`none`, where the app allows it), or anonymously.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { AuthKind } from 'tokenkit/client';
 * const { auth } = await chat.connectUser({ id: 'alice' }, token);
 * const kind: AuthKind = auth;
 * console.log(kind); // jwt
 * ```
 */
export type AuthKind = z.infer<typeof authKindSchema>;

export const connectResponseSchema = z.looseObject({
  /** The connected user (absent for an anonymous connection). */
  user: userSchema.optional(),
  /** The connection's id, sent back in `X-Connection-Id` on every later request. */
  connection_id: z.string().min(1),
  /** How the connection was authenticated. */
  auth: authKindSchema,
});

export const guestRequestSchema = z.strictObject({
  user: z.strictObject({ id: userIdSchema, name: z.string().max(1024).optional() }),
});
export const guestResponseSchema = z.looseObject({ user: userSchema, access_token: z.string().min(1) });

/** What a user may write on its own record: name and custom fields, nothing the platform owns. */
export const meSetSchema = z.looseObject({ name: z.string().max(1024).optional() }).superRefine(customValuesAreJson(['name'])).superRefine((v, ctx) => {
  for (const f of ['id', 'role', 'created_at', 'updated_at', 'requires_token', 'revoke_tokens_issued_before']) {
    if (Object.prototype.hasOwnProperty.call(v, f)) {
      ctx.addIssue({ code: 'custom', path: [f], message: 'a user may not write this field on itself' });
    }
  }
});
export const updateMeRequestSchema = z
  .strictObject({ set: meSetSchema.optional(), unset: userUnsetSchema.optional() })
  .refine((b) => b.set !== undefined || b.unset !== undefined, { error: 'give set, unset or both' });

// Re-exported for the client side, which reads the same user shape.
export { isoDateSchema };
