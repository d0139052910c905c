// The Hono example: POST /login (a cookie session) and GET /token, the web-standard token
// provider. The same app runs on Bun, Deno, Node, Cloudflare Workers and edge functions.
import { Hono } from 'hono';
import type { ServerClient } from 'tokenkit';
import type { Sessions } from '../common/sessions';

export function createApp(client: ServerClient, sessions: Sessions, tokenValiditySeconds?: number): Hono {
  const app = new Hono();
  // Who is signed in on this request (or null: 401); the token is minted for that user only.
  const tokenEndpoint = client.tokenProvider({
    authenticate: (request: Request) => sessions.userOf(request.headers.get('cookie')),
    validity_in_seconds: tokenValiditySeconds,
  });
  app.post('/login', (c) => sessions.login(c.req.raw));
  app.get('/token', (c) => tokenEndpoint(c.req.raw));
  return app;
}
