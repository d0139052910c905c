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
 * The Node form of the endpoint: `(req, res, next?)`. It works as Express 5 middleware
 * (`app.get('/token', handler)`) and as a plain `node:http` request listener. It never rejects:
 * every outcome is a response, or (under Express, for a 500) a call to `next(err)`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import type { NodeTokenProviderHandler } from 'tokenkit';
 * const handler: NodeTokenProviderHandler = client.tokenProvider({ authenticate: (req) => sessionUser(req) });
 * const server = createServer((req, res) => {
 *   if (req.url === '/token') void handler(req, res);
 *   else res.writeHead(404).end();
 * });
 * ```
 */
export type NodeTokenProviderHandler<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => Promise<void>;

/**
 * The web-standard form of the endpoint: `(request) => Promise<Response>`, the shape of a Next.js
 * App Router route handler, a Cloudflare Worker's or Vercel edge function's `fetch`, `Bun.serve`,
 * `Deno.serve` and Hono (`(c) => handler(c.req.raw)`). It never rejects: every outcome is a
 * `Response`. Extra arguments (Next's route context, a Worker's `env` and `ctx`) are ignored.
 *
 * @example
 * ```ts
 * import type { FetchTokenProviderHandler } from 'tokenkit';
 * // app/api/token/route.ts in a Next.js app
 * export const GET: FetchTokenProviderHandler = client.tokenProvider({
 *   authenticate: async (request: Request) => sessions.get(request.headers.get('x-session-id') ?? '') ?? null,
 * });
 * ```
 */
export type FetchTokenProviderHandler<Req extends Request = Request> = (request: Req) => Promise<Response>;

/**
 * What {@link ServerClient.tokenProvider} returns, by the request type `authenticate` takes: the
 * web-standard {@link FetchTokenProviderHandler} for a `Request` (or a subclass such as Next's
 * `NextRequest`), the Node {@link NodeTokenProviderHandler} otherwise (the default). Whichever type
 * it has, the handler serves both forms at run time: it looks at what it is called with.
 *
 * @example
 * ```ts
 * import type { TokenProviderHandler } from 'tokenkit';
 * const forNode: TokenProviderHandler = client.tokenProvider({ authenticate: (req) => sessionUser(req) });
 * const forWeb: TokenProviderHandler<Request> = client.tokenProvider({ authenticate: (request: Request) => request.headers.get('x-user') });
 * ```
 */
export type TokenProviderHandler<Req extends IncomingMessage | Request = IncomingMessage> = [Req] extends [Request]
  ? FetchTokenProviderHandler<Req>
  : [Req] extends [IncomingMessage]
    ? NodeTokenProviderHandler<Req>
    : NodeTokenProviderHandler<Extract<Req, IncomingMessage>> & FetchTokenProviderHandler<Extract<Req, Request>>;

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

/** One answer of the endpoint, before it is written in a framework's own way. */
export type ProviderAnswer =
  | { kind: 'answer'; status: 200 | 401; body: TokenProviderResponse | { error: 'unauthenticated'; message: string } }
  /** A 500: `onError` has already been told; `error` is what Express's `next` gets. */
  | { kind: 'failure'; error: TokenProviderError };

/** The body of every 500 the endpoint writes itself: nothing of the cause. */
export const INTERNAL_ERROR_BODY = { error: 'internal', message: 'Could not issue a token' } as const;

/**
 * The headers of every answer. A token must not be kept by the browser's or any proxy's cache:
 * the next caller of this URL could be someone else.
 */
export const PROVIDER_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

/** `exp * 1000` of a token tokenkit just minted (it always has an `exp`). */
function expiresAtMs(token: string): number {
  const payload = JSON.parse(runtime.base64urlDecodeText(token.split('.')[1] ?? '')) as { exp: number };
  return payload.exp * 1000;
}

/**
 * The endpoint's decisions, whatever the framework: authenticate the caller, mint, or fail. The
 * options are checked here, once. Each front end (Node, web-standard, Fastify) only writes the
 * answer.
 *
 * @throws {@link ArgumentError} where an option is missing, unknown or of the wrong type.
 */
export function createProviderCore<Req>(mint: Mint, input: unknown): (req: Req) => Promise<ProviderAnswer> {
  const options: TokenProviderOptions<Req> = validateTokenProviderOptions<Req>(input);

  const fail = (req: Req, message: string, cause: unknown): ProviderAnswer => {
    try {
      options.onError?.(cause, req);
    } catch {
      // A failing logger must not turn a 500 into an unhandled rejection.
    }
    return { kind: 'failure', error: new TokenProviderError(message, { cause }) };
  };

  return async (req) => {
    let userId: unknown;
    try {
      userId = await options.authenticate(req);
    } catch (err) {
      return fail(req, 'tokenProvider: authenticate() failed (the original error is the cause)', err);
    }
    if (userId === null || userId === undefined) {
      return { kind: 'answer', status: 401, body: { error: 'unauthenticated', message: 'Sign in first: tokens are issued to signed-in users only' } };
    }
    if (typeof userId !== 'string') {
      const err = new TypeError(`authenticate() must return a user id (a string) or null, got ${typeof userId}`);
      return fail(req, 'tokenProvider: authenticate() returned something other than a user id or null', err);
    }
    let token: string;
    try {
      token = mint({ user_id: userId, validity_in_seconds: options.validity_in_seconds });
    } catch (err) {
      return fail(req, 'tokenProvider: could not mint a token for the user id authenticate() returned (the error is the cause)', err);
    }
    return { kind: 'answer', status: 200, body: { token, user_id: userId, expires_at: expiresAtMs(token) } };
  };
}

function sendNode(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(PROVIDER_HEADERS)) res.setHeader(name, value);
  res.setHeader('Content-Length', new TextEncoder().encode(text).length);
  res.end(text);
}

/**
 * A web-standard `Request`, told apart by shape rather than `instanceof`: a Request made in
 * another realm (edge-runtime's VM context, a test's polyfill) is one too. Node's IncomingMessage
 * has plain-object headers, with no `get`.
 */
function isFetchRequest(value: unknown): value is Request {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { headers?: { get?: unknown }; url?: unknown; method?: unknown };
  return typeof v.headers?.get === 'function' && typeof v.url === 'string' && typeof v.method === 'string';
}

/** The answer as a web-standard Response. */
export function toResponse(answer: ProviderAnswer): Response {
  const status = answer.kind === 'answer' ? answer.status : 500;
  const body = answer.kind === 'answer' ? answer.body : INTERNAL_ERROR_BODY;
  return new Response(JSON.stringify(body), { status, headers: PROVIDER_HEADERS });
}

/**
 * Builds the token-provider handler around a mint function (ServerClient.generateUserToken). It
 * serves both forms: called with a web-standard `Request` it resolves with a `Response`; called
 * with Node's `(req, res, next?)` it writes to `res` (or, for a 500 under Express, calls `next`).
 *
 * @throws {@link ArgumentError} where an option is missing, unknown or of the wrong type.
 */
export function createTokenProvider<Req extends IncomingMessage | Request = IncomingMessage>(
  mint: Mint,
  input: TokenProviderOptions<Req>,
): TokenProviderHandler<Req> {
  const decide = createProviderCore<IncomingMessage | Request>(mint, input);

  async function handler(request: Request): Promise<Response>;
  async function handler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): Promise<void>;
  async function handler(req: IncomingMessage | Request, res?: ServerResponse, next?: (err?: unknown) => void): Promise<Response | void> {
    // A Worker's `fetch(request, env, ctx)` and Next's `GET(request, context)` pass a second
    // argument too: only a ServerResponse (it has setHeader) makes this the Node form.
    if (isFetchRequest(req) && typeof (res as { setHeader?: unknown } | undefined)?.setHeader !== 'function') {
      return toResponse(await decide(req));
    }
    const answer = await decide(req);
    const nodeRes = res as ServerResponse;
    if (answer.kind === 'answer') sendNode(nodeRes, answer.status, answer.body);
    else if (typeof next === 'function') next(answer.error);
    else sendNode(nodeRes, 500, INTERNAL_ERROR_BODY);
  }
  return handler as TokenProviderHandler<Req>;
}
