// Calls an example backend over HTTP the way a client app does: log in, keep the cookie, fetch tokens.

/** A signed-in browser, reduced to its cookie. */
export interface Session {
  cookie: string;
}

/** `POST /login`; the session cookie, or the status where the login was refused. */
export async function login(base: string, user_id: string, password: string): Promise<Session | number> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id, password }),
  });
  await res.arrayBuffer();
  const setCookie = res.headers.get('set-cookie');
  if (res.status !== 204 || setCookie === null) return res.status;
  return { cookie: setCookie.split(';')[0] ?? '' };
}

/** `GET /token` with the session's cookie (or none). */
export async function fetchToken(base: string, session?: Session): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/token`, { headers: session ? { cookie: session.cookie } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** A token provider for UserClient that calls the backend, counting its calls. */
export function backendProvider(base: string, session: Session): { provider: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    provider: async () => {
      calls += 1;
      const { status, body } = await fetchToken(base, session);
      if (status !== 200 || typeof body['token'] !== 'string') throw new Error(`token endpoint answered ${status}`);
      return body['token'];
    },
  };
}

/**
 * A token for `userId` from the backend at `base`, as a user's app behind a load balancer gets it:
 * it logs in the first time it lands on that backend (sessions live in each backend), keeping the
 * session in `sessions`, then calls `GET /token`. Throws where either answer is not a success.
 */
export async function tokenFrom(base: string, userId: string, password: string, sessions: Map<string, Session>): Promise<string> {
  const key = `${base} ${userId}`;
  let session = sessions.get(key);
  if (!session) {
    const s = await login(base, userId, password);
    if (typeof s === 'number') throw new Error(`login to ${base} failed: ${s}`);
    sessions.set(key, (session = s));
  }
  const { status, body } = await fetchToken(base, session);
  if (status !== 200 || typeof body['token'] !== 'string') throw new Error(`token endpoint answered ${status}`);
  return body['token'];
}
