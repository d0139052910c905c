// A tiny cookie-session login for the web-standard examples (Hono, Next.js, Cloudflare Workers,
// Fastify), on web APIs only (crypto.subtle, crypto.getRandomValues, Request, Response): it runs
// on Node, Bun, Deno, Workers and edge functions alike. A real app uses its own login and session
// store; what matters here is that `userOf` answers who is signed in, for `authenticate`.

/** The session cookie's name. */
export const SESSION_COOKIE = 'sid';

/** Demo users from "alice:wonderland,bob:builder": id → password. */
export function demoUsers(spec: string): Record<string, string> {
  const users: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const colon = pair.indexOf(':');
    if (colon > 0) users[pair.slice(0, colon).trim()] = pair.slice(colon + 1);
  }
  return users;
}

/** Reads one cookie from a `Cookie` header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Compares hashes, so the time taken says nothing of where the passwords differ. */
async function samePassword(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The sessions of one example backend (in memory). */
export interface Sessions {
  /** Checks a user's password; a new session id, or null where the login is refused. */
  signIn(user_id: unknown, password: unknown): Promise<string | null>;
  /** The `Set-Cookie` value of a session. */
  cookieFor(sid: string): string;
  /** The signed-in user of a `Cookie` header, or null: what `authenticate` returns. */
  userOf(cookieHeader: string | null | undefined): string | null;
  /** `POST /login` with a JSON body `{ user_id, password }`, as a web-standard handler. */
  login(request: Request): Promise<Response>;
}

export function createSessions(users: Record<string, string>, options: { secureCookies?: boolean } = {}): Sessions {
  const sessions = new Map<string, string>();
  const refused = (): Response =>
    new Response(JSON.stringify({ error: 'unauthenticated', message: 'Unknown user or wrong password' }), {
      status: 401,
      headers: { 'Content-Type': 'application/json' },
    });
  const self: Sessions = {
    async signIn(user_id, password) {
      const expected = typeof user_id === 'string' && Object.hasOwn(users, user_id) ? users[user_id] : undefined;
      if (typeof user_id !== 'string' || typeof password !== 'string' || expected === undefined) return null;
      if (!(await samePassword(password, expected))) return null;
      const sid = newSessionId();
      sessions.set(sid, user_id);
      return sid;
    },
    cookieFor: (sid) => `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/${options.secureCookies === true ? '; Secure' : ''}`,
    userOf(cookieHeader) {
      const sid = readCookie(cookieHeader, SESSION_COOKIE);
      return sid === undefined ? null : (sessions.get(sid) ?? null);
    },
    async login(request) {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return refused();
      }
      const { user_id, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const sid = await self.signIn(user_id, password);
      if (sid === null) return refused();
      return new Response(null, { status: 204, headers: { 'Set-Cookie': self.cookieFor(sid) } });
    },
  };
  return self;
}
