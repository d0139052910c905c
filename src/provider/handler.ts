import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GenerateUserTokenInput } from '../tokens/mint';
import { type TokenProviderOptions, validateTokenProviderOptions } from './options';
import { runtime } from '../runtime';

/**
 * What the endpoint answers to a signed-in caller.
 *
 * @example
 * ```ts
 * import type { TokenProviderResponse } from 'tokenkit';
 * // In the app: what your token endpoint answers.
 * const res = await fetch('https://backend.example/token', { credentials: 'include' });
 * const body = (await res.json()) as TokenProviderResponse;
 * console.log(body.user_id, new Date(body.expires_at));
 * ```
 */
export interface TokenProviderResponse {
  /** The user token, for the platform's client routes. */
  token: string;
  /** The user the token is for: the id `authenticate` returned. */
  user_id: string;
  /** When the token expires, in milliseconds since the epoch (`exp * 1000`). */
  expires_at: number;
}

/**
 * The endpoint: `(req, res, next?)`. It works as Express 5 middleware (`app.get('/token', handler)`)
 * and as a plain `node:http` request listener. It never rejects: every outcome is a response, or
 * (under Express, for a 500) a call to `next(err)`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import type { TokenProviderHandler } from 'tokenkit';
 * const handler: TokenProviderHandler = client.tokenProvider({ authenticate: (req) => sessionUser(req) });
 * const server = createServer((req, res) => {
 *   if (req.url === '/token') void handler(req, res);
 *   else res.writeHead(404).end();
 * });
 * ```
 */
export type TokenProviderHandler<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => Promise<void>;

/**
 * What the handler passes to Express's `next(err)` when it cannot issue a token. Its message and
 * stack say nothing of the original error, which is its `cause`: Express's default error page
 * (which prints the stack outside production) shows no detail of your authentication code.
 * `status` and `expose` follow the `http-errors` convention that Express reads.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { TokenProviderError } from 'tokenkit';
 * const server = express();
 * server.get('/token', client.tokenProvider({ authenticate: (req) => sessionUser(req) }));
 * server.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
 *   if (err instanceof TokenProviderError) console.error('token endpoint failed:', err.cause);
 *   res.status(500).json({ error: 'internal' });
 * });
 * ```
 */
export class TokenProviderError extends Error {
  /** Always 500. */
  readonly status = 500;
  /** Always 500 (the other spelling Express reads). */
  readonly statusCode = 500;
  /** Always false: the message is not for the caller. */
  readonly expose = false;

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'TokenProviderError';
  }
}

type Mint = (input: GenerateUserTokenInput) => string;

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  // A token must not be kept by the browser's or any proxy's cache: the next caller of this URL
  // could be someone else.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(text);
}

/** `exp * 1000` of a token tokenkit just minted (it always has an `exp`). */
function expiresAtMs(token: string): number {
  const payload = JSON.parse(runtime.base64urlDecodeText(token.split('.')[1] ?? '')) as { exp: number };
  return payload.exp * 1000;
}

/**
 * Builds the token-provider handler around a mint function (ServerClient.generateUserToken).
 * The options are checked here, once.
 *
 * @throws {@link ArgumentError} where an option is missing, unknown or of the wrong type.
 */
export function createTokenProvider<Req extends IncomingMessage = IncomingMessage>(
  mint: Mint,
  input: TokenProviderOptions<Req>,
): TokenProviderHandler<Req> {
  const options = validateTokenProviderOptions<Req>(input);

  const fail = (req: Req, res: ServerResponse, next: ((err?: unknown) => void) | undefined, message: string, cause: unknown): void => {
    try {
      options.onError?.(cause, req);
    } catch {
      // A failing logger must not turn a 500 into an unhandled rejection.
    }
    if (typeof next === 'function') {
      next(new TokenProviderError(message, { cause }));
      return;
    }
    send(res, 500, { error: 'internal', message: 'Could not issue a token' });
  };

  return async (req, res, next) => {
    let userId: unknown;
    try {
      userId = await options.authenticate(req);
    } catch (err) {
      fail(req, res, next, 'tokenProvider: authenticate() failed (the original error is the cause)', err);
      return;
    }
    if (userId === null || userId === undefined) {
      send(res, 401, { error: 'unauthenticated', message: 'Sign in first: tokens are issued to signed-in users only' });
      return;
    }
    if (typeof userId !== 'string') {
      const err = new TypeError(`authenticate() must return a user id (a string) or null, got ${typeof userId}`);
      fail(req, res, next, 'tokenProvider: authenticate() returned something other than a user id or null', err);
      return;
    }
    let token: string;
    try {
      token = mint({ user_id: userId, validity_in_seconds: options.validity_in_seconds });
    } catch (err) {
      fail(req, res, next, 'tokenProvider: could not mint a token for the user id authenticate() returned (the error is the cause)', err);
      return;
    }
    const body: TokenProviderResponse = { token, user_id: userId, expires_at: expiresAtMs(token) };
    send(res, 200, body);
  };
}
