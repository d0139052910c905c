import { z } from 'zod';
import { isoDateSchema } from './common';

// The app's secrets and their rotation (docs/platform-api.md, "App secrets and rotation").

/**
 * The most secrets an app holds at once, retired ones included.
 *
 * @example
 * ```ts
 * import { MAX_APP_SECRETS } from 'tokenkit';
 * const held = (await client.listSecrets()).length;
 * console.log(held <= MAX_APP_SECRETS); // true
 * ```
 */
export const MAX_APP_SECRETS = 3;

/** A secret's id (`kid`): 1 to 64 characters from `[A-Za-z0-9._-]`. */
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** A secret's id (`kid`), as the platform names it and as a token's header carries it. */
export const kidSchema = z
  .string({ error: 'expected a string kid' })
  .regex(KID_PATTERN, { error: 'expected 1 to 64 characters from A-Z a-z 0-9 . _ -' });

/**
 * A secret's state: `primary` (signs what the platform issues; checked first for a token without
 * `kid`), `active` (verifies), `retired` (its tokens are refused with 44, for good).
 */
export const secretStateSchema = z.enum(['primary', 'active', 'retired'], { error: 'expected one of "primary", "active", "retired"' });
/**
 * A secret's state: `primary`, `active` or `retired`.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { SecretState } from 'tokenkit';
 * const secrets = await client.listSecrets();
 * const retired: string[] = secrets.filter((s) => s.state === ('retired' satisfies SecretState)).map((s) => s.kid);
 * ```
 */
export type SecretState = z.infer<typeof secretStateSchema>;

/** One secret as listed: its id, state and dates; never its value. */
export const secretInfoSchema = z.looseObject({
  /** The secret's id: tokens signed with it carry it in their header. */
  kid: kidSchema,
  /** `primary`, `active` or `retired`. */
  state: secretStateSchema,
  /** When it was added. */
  created_at: isoDateSchema,
  /** When it last became the primary secret; `null`: never. */
  promoted_at: isoDateSchema.nullable(),
  /** When it was retired; `null`: not retired. */
  retired_at: isoDateSchema.nullable(),
});
/**
 * A secret of the app as `listSecrets` answers it (dates as `Date`): never its value.
 *
 * @useDeclaredType
 *
 * @example
 * ```ts
 * import type { SecretInfo } from 'tokenkit';
 * const secrets: SecretInfo[] = await client.listSecrets();
 * for (const s of secrets) console.log(s.kid, s.state, s.created_at.toISOString());
 * ```
 */
export type SecretInfo = z.output<typeof secretInfoSchema>;

/** `GET /v1/app/secrets`, and the answer of promote and retire: every secret, oldest first. */
export const secretsResponseSchema = z.looseObject({ secrets: z.array(secretInfoSchema) });

/** `POST /v1/app/secrets`: an empty object (room for options later). */
export const emptyRequestSchema = z.strictObject({});

/**
 * `POST /v1/app/secrets/promote` and `.../retire`: the secret's kid, in the body rather than the
 * path: paths go to access logs, and a secret pasted where a kid goes must not land there.
 */
export const secretChangeRequestSchema = z.strictObject({ kid: kidSchema });

/** `POST /v1/app/secrets`: the new secret, `active`, with its value (answered this once). */
export const addSecretResponseSchema = z.looseObject({
  secret: secretInfoSchema.extend({
    /** The secret's value: shown in this answer only (and in a replay of it within the idempotency window). */
    value: z.string().min(1),
  }),
});
