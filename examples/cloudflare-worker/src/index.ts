// The Cloudflare Workers example: POST /login (a demo cookie session) and GET /token, the
// web-standard token provider. It runs on workerd without `nodejs_compat`: tokenkit's worker entry
// imports no `node:` module and mints with a pure-JS HMAC-SHA256.
import { ServerClient, type FetchTokenProviderHandler } from 'tokenkit';
import { type Sessions, createSessions, demoUsers } from '../../common/sessions';

/**
 * The Worker's bindings (wrangler.toml `[vars]`, and `wrangler secret put TOKENKIT_API_SECRET`), read
 * by `new ServerClient({ env })`. While rotating the secret, `TOKENKIT_API_SECRETS` holds the keyring
 * instead (`[{"kid":"...","secret":"..."}, ...]`, docs/secret-rotation.md).
 */
export interface Env {
  TOKENKIT_API_KEY: string;
  TOKENKIT_API_SECRET?: string;
  TOKENKIT_API_SECRETS?: string;
  /** The platform's URL; the emulator's while developing (e.g. http://127.0.0.1:8787). */
  TOKENKIT_BASE_URL?: string;
  /** Demo users, "alice:wonderland,bob:builder". */
  DEMO_USERS?: string;
}

interface Backend {
  sessions: Sessions;
  token: FetchTokenProviderHandler;
}

// Built once per isolate, from the first request's bindings. The sessions live in this isolate's
// memory: enough for the demo; a real Worker keeps them in KV, D1 or a Durable Object.
let backend: Backend | undefined;

function build(env: Env): Backend {
  // A Worker has no process environment: the client reads its TOKENKIT_* variables from the bindings.
  const client = new ServerClient({ env });
  const sessions = createSessions(demoUsers(env.DEMO_USERS ?? 'alice:wonderland'), { secureCookies: true });
  const token = client.tokenProvider({ authenticate: (request: Request) => sessions.userOf(request.headers.get('cookie')) });
  return { sessions, token };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    backend ??= build(env);
    const { pathname } = new URL(request.url);
    if (pathname === '/login' && request.method === 'POST') return backend.sessions.login(request);
    if (pathname === '/token' && request.method === 'GET') return backend.token(request);
    return new Response(JSON.stringify({ error: 'not_found' }), { status: 404, headers: { 'Content-Type': 'application/json' } });
  },
};
