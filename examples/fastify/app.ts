// The Fastify example: POST /login (a demo cookie session) and GET /token through
// tokenkit/fastify's plugin.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ServerClient } from 'tokenkit';
import { tokenProviderPlugin } from 'tokenkit/fastify';
import { createSessions } from '../common/sessions';

export interface ExampleAppOptions {
  /** Mints the tokens. Its secret stays here, on the server. */
  client: ServerClient;
  /** Demo users: id → password. */
  users: Record<string, string>;
  /** Token validity in seconds. Default 3600. */
  tokenValiditySeconds?: number;
}

export async function createApp(options: ExampleAppOptions): Promise<FastifyInstance> {
  const sessions = createSessions(options.users);
  const app = Fastify({ bodyLimit: 10 * 1024 });

  app.post('/login', async (request, reply) => {
    const { user_id, password } = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const sid = await sessions.signIn(user_id, password);
    if (sid === null) return reply.code(401).send({ error: 'unauthenticated', message: 'Unknown user or wrong password' });
    return reply.code(204).header('Set-Cookie', sessions.cookieFor(sid)).send();
  });

  // GET /token: who is signed in on this request (or null: 401); the token is for that user only.
  await app.register(tokenProviderPlugin, {
    client: options.client,
    authenticate: (request: FastifyRequest) => sessions.userOf(request.headers.cookie),
    validity_in_seconds: options.tokenValiditySeconds,
  });
  return app;
}
