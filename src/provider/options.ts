import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { shapeError } from '../schemas/common';
import { parseOptions } from '../schemas/validate';
import { validitySecondsSchema } from '../tokens/mint';

/**
 * Finds out who is calling, with the backend's own authentication (a session cookie, a bearer
 * token, ...). Returns the caller's user id, or `null` when the caller is not signed in (401).
 * The token is minted for exactly this id: never read a user id from the request's query or body.
 *
 * @example
 * ```ts
 * import type { Authenticate } from 'tokenkit';
 * const authenticate: Authenticate = async (req) => sessions.get(readCookie(req, 'sid') ?? '') ?? null;
 * const handler = client.tokenProvider({ authenticate });
 * ```
 */
export type Authenticate<Req = IncomingMessage> = (
  req: Req,
) => string | null | undefined | Promise<string | null | undefined>;

/**
 * The options of {@link ServerClient.tokenProvider}. Unknown keys and wrong types are refused.
 *
 * @example
 * ```ts
 * import type { TokenProviderOptions } from 'tokenkit';
 * const options: TokenProviderOptions = {
 *   authenticate: (req) => sessionUser(req),
 *   validity_in_seconds: 900,
 *   onError: (err) => console.error('token endpoint:', err),
 * };
 * const handler = client.tokenProvider(options);
 * ```
 */
export interface TokenProviderOptions<Req = IncomingMessage> {
  /**
   * Returns the signed-in caller's user id, or `null` (the handler answers 401). Required. It gets
   * the request as the framework has it: Node's `IncomingMessage` (Express's `Request`), a
   * web-standard `Request`, or Fastify's `FastifyRequest`.
   */
  authenticate: Authenticate<Req>;
  /** How long each token is valid, in whole seconds. Default 3600 (one hour), at most ten years. */
  validity_in_seconds?: number | undefined;
  /**
   * Called with every error that ends in a 500 (an `authenticate` that threw, an invalid user id),
   * for logging. Under Express the error also goes to `next(err)`. Default: none.
   */
  onError?: ((err: unknown, req: Req) => void) | undefined;
}

const optionsSchema = z.strictObject(
  {
    authenticate: z.custom<Authenticate>((v) => typeof v === 'function', { error: 'expected a function (req) => user id | null' }),
    validity_in_seconds: validitySecondsSchema.optional(),
    onError: z.custom<(err: unknown, req: never) => void>((v) => typeof v === 'function', { error: 'expected a function (err, req) => void' }).optional(),
  },
  { error: (issue) => shapeError(issue, '{ authenticate, validity_in_seconds?, onError? }') },
);

/** Checks the options up front, so a misconfigured endpoint fails at start-up, not on the first call. */
export function validateTokenProviderOptions<Req>(options: unknown): TokenProviderOptions<Req> {
  parseOptions(optionsSchema, options, 'tokenProvider options', 'argument');
  // A copy: changing the caller's object later does not change a running endpoint.
  const o = options as TokenProviderOptions<Req>;
  return { authenticate: o.authenticate, validity_in_seconds: o.validity_in_seconds, onError: o.onError };
}
