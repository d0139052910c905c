import { z } from 'zod';
import { epochMsSchema, isoDateSchema } from './common';

/** `POST /v1/users/{id}/token`: `expires_at` in ms (default: now + 7 days). */
export const issueTokenRequestSchema = z.strictObject({ expires_at: epochMsSchema.optional() });
export const issueTokenResponseSchema = z.looseObject({ token: z.string().min(1), expires_at: epochMsSchema });

/** `DELETE /v1/users/{id}/token` answers the cutoff it set. */
export const revokeTokenResponseSchema = z.looseObject({ revoke_tokens_issued_before: isoDateSchema });

/** The default life of a platform-issued token: 7 days. */
export const DEFAULT_PLATFORM_TOKEN_MS = 7 * 24 * 3600 * 1000;
