// The Hono, Next.js and Fastify examples, end to end: the emulator, the example backend (login,
// token endpoint) over real HTTP on 127.0.0.1, and a UserClient whose provider calls the backend,
// through token expiry and revocation with 50 requests in flight (the refresh scenario). Plus the
// answers a caller without a session gets.
import { ServerClient } from 'tokenkit';
import { createApp as createFastifyApp } from '../../examples/fastify/app';
import { createApp as createHonoApp } from '../../examples/hono/app';
import { createSessions } from '../../examples/common/sessions';
import { fetchToken, login } from '../support/backend';
import { type StartBackend, runRefreshScenario } from './refresh-scenario';
import { serveFetch } from './serve-fetch';

type NextRoute = Record<string, ((request: Request, context: { params: Promise<Record<string, never>> }) => Promise<Response>) | unknown>;

/** The Next.js example's route table, loaded as Next.js loads it: the modules read the environment once. */
function loadNextRoutes(env: Record<string, string>): Record<string, NextRoute> {
  Object.assign(process.env, env);
  let routes: Record<string, NextRoute> = {};
  jest.isolateModules(() => {
    routes = {
      '/token': require('../../examples/nextjs/app/api/token/route') as NextRoute,
      '/login': require('../../examples/nextjs/app/api/login/route') as NextRoute,
    };
  });
  return routes;
}

/** Calls a route handler as Next.js does: the exported function of the method, with the route context. */
function nextRouter(routes: Record<string, NextRoute>) {
  return async (request: Request): Promise<Response> => {
    const route = routes[new URL(request.url).pathname];
    const handler = route?.[request.method];
    if (typeof handler !== 'function') return new Response(null, { status: route ? 405 : 404 });
    return (handler as (r: Request, c: unknown) => Promise<Response>)(request, { params: Promise.resolve({}) });
  };
}

const backends: Array<[string, StartBackend]> = [
  [
    'Hono',
    async ({ tokenkit, users, tokenValiditySeconds }) => {
      const app = createHonoApp(new ServerClient(tokenkit), createSessions(users), tokenValiditySeconds);
      return serveFetch(async (request) => app.fetch(request));
    },
  ],
  [
    'Next.js route handlers',
    async ({ tokenkit, users, tokenValiditySeconds }) =>
      serveFetch(
        nextRouter(
          loadNextRoutes({
            TOKENKIT_API_KEY: tokenkit.apiKey ?? '',
            TOKENKIT_API_SECRET: String(tokenkit.apiSecret ?? ''),
            TOKENKIT_BASE_URL: tokenkit.baseUrl ?? '',
            TOKEN_VALIDITY_SECONDS: String(tokenValiditySeconds),
            DEMO_USERS: Object.entries(users).map(([u, p]) => `${u}:${p}`).join(','),
          }),
        ),
      ),
  ],
  [
    'Fastify plugin',
    async ({ tokenkit, users, tokenValiditySeconds }) => {
      const app = await createFastifyApp({ client: new ServerClient(tokenkit), users, tokenValiditySeconds });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() };
    },
  ],
];

const ENV_KEYS = ['TOKENKIT_API_KEY', 'TOKENKIT_API_SECRET', 'TOKENKIT_BASE_URL', 'DEMO_USERS', 'TOKEN_VALIDITY_SECONDS'];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

describe.each(backends)('%s example', (_name, start) => {
  test('emulator + backend + UserClient: expiry and revocation under 50 in-flight requests, one provider call each', async () => {
    await runRefreshScenario(start);
  });

  test('no session: 401 with no-store; a wrong password is refused; a session gets a verifiable token', async () => {
    const tokenkit = { apiKey: 'key', apiSecret: 'web-examples-secret-0123456789abcdef' };
    const backend = await start({ tokenkit, users: { alice: 'wonderland' }, tokenValiditySeconds: 120 });
    try {
      const anonymous = await fetchToken(backend.url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('cache-control')).toBe('no-store');
      expect(await login(backend.url, 'alice', 'builder')).toBe(401);
      const session = await login(backend.url, 'alice', 'wonderland');
      if (typeof session === 'number') throw new Error(`login failed: ${session}`);
      expect(session.cookie).toMatch(/^sid=[A-Za-z0-9_-]{43}$/);
      const { status, body } = await fetchToken(backend.url, session);
      expect(status).toBe(200);
      const claims = await new ServerClient(tokenkit).verifyUserToken(String(body['token']), { userId: 'alice' });
      expect(claims.user_id).toBe('alice');
    } finally {
      await backend.close();
    }
  });
});
