/**
 * The Fastify integration: {@link tokenProviderPlugin} registers a token-provider route that
 * behaves as `client.tokenProvider(...)` does everywhere else. Needs `fastify` 5 (an optional peer
 * dependency of tokenkit).
 *
 * @module tokenkit/fastify
 */
// `tokenkit/fastify`: only types come from fastify, so importing this entry loads no Fastify code.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ServerClient } from '../server-client';
import { ArgumentError } from '../errors';
import { INTERNAL_ERROR_BODY, PROVIDER_HEADERS, createProviderCore } from '../provider/handler';
import type { TokenProviderOptions } from '../provider/options';

/**
 * What {@link tokenProviderPlugin} takes: the client that mints, where the route is, and the
 * options of `client.tokenProvider(...)` (`authenticate` gets Fastify's request).
 *
 * @example
 * ```ts
 * import type { FastifyRequest } from 'fastify';
 * import type { TokenProviderPluginOptions } from 'tokenkit/fastify';
 * const options: TokenProviderPluginOptions = {
 *   client,
 *   path: '/token',
 *   authenticate: (request: FastifyRequest) => (typeof request.headers['x-user'] === 'string' ? request.headers['x-user'] : null),
 * };
 * ```
 */
export interface TokenProviderPluginOptions extends TokenProviderOptions<FastifyRequest> {
  /** The client that mints the tokens. Required. */
  client: ServerClient;
  /** The route's path (under the register `prefix`, if any). Default `/token`. Answers GET. */
  path?: string | undefined;
}

// Fastify hands its own register options to the plugin with the user's: they are not ours to check.
const FASTIFY_REGISTER_KEYS = new Set(['prefix', 'logLevel', 'logSerializers']);

/**
 * A Fastify 5 plugin: `GET {path}` (default `/token`) authenticates the caller with your
 * `authenticate(request)`, mints a token for that user and answers `{ token, user_id, expires_at }`
 * with `Cache-Control: no-store`, exactly as `client.tokenProvider(...)`: 401 for `null`, a 500
 * that says nothing of the cause (which goes to `onError` and to `request.log.error`) otherwise.
 * The options are checked when the plugin is registered (an `ArgumentError` naming the field).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { tokenProviderPlugin } from 'tokenkit/fastify';
 * const app = Fastify();
 * await app.register(tokenProviderPlugin, { client, authenticate: (request) => sessions.get(String(request.headers['x-session-id'])) ?? null });
 * ```
 */
export const tokenProviderPlugin: FastifyPluginAsync<TokenProviderPluginOptions> = async (fastify, pluginOptions) => {
  if (typeof pluginOptions !== 'object' || pluginOptions === null) {
    throw new ArgumentError('tokenProviderPlugin options: expected { client, path?, authenticate, validity_in_seconds?, onError? }', [
      { path: '', message: 'expected an object' },
    ]);
  }
  const { client, path = '/token', ...rest } = pluginOptions;
  if (!(client instanceof ServerClient)) {
    throw new ArgumentError('tokenProviderPlugin options: client: expected a ServerClient (new ServerClient({ apiKey, apiSecret }))', [
      { path: 'client', message: 'expected a ServerClient' },
    ]);
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ArgumentError(`tokenProviderPlugin options: path: expected a path starting with "/", got ${JSON.stringify(path)}`, [
      { path: 'path', message: 'expected a path starting with "/"' },
    ]);
  }
  const providerOptions = Object.fromEntries(Object.entries(rest).filter(([key]) => !FASTIFY_REGISTER_KEYS.has(key)));
  const decide = createProviderCore<FastifyRequest>((input) => client.generateUserToken(input), providerOptions);

  fastify.get(path, async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await decide(request);
    if (answer.kind === 'failure') request.log.error({ err: answer.error }, answer.error.message);
    return reply
      .code(answer.kind === 'answer' ? answer.status : 500)
      .headers(PROVIDER_HEADERS)
      .send(JSON.stringify(answer.kind === 'answer' ? answer.body : INTERNAL_ERROR_BODY));
  });
};
