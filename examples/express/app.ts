// The Express example: a backend with a tiny cookie-session login and a token-provider endpoint.
// Run it with `npx tsx examples/express/server.ts` (see README.md).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { ServerClient } from 'tokenkit';

/** What the example app needs: a client (holding the secret) and its demo users. */
export interface ExampleAppOptions {
  /** Mints the tokens. Its secret stays here, on the server. */
  client: ServerClient;
  /** Demo users: id → password. A real app checks passwords against its own user store. */
  users: Record<string, string>;
  /** Add `Secure` to the session cookie (true behind HTTPS, which production must use). Default false. */
  secureCookies?: boolean;
  /** Token validity in seconds. Default 3600. */
  tokenValiditySeconds?: number;
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'sid';

/** Reads one cookie from the request's `Cookie` header. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function samePassword(given: string, expected: string): boolean {
  // Hashes first, so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Builds the app: `POST /login`, `POST /logout`, `GET /token`. */
export function createApp(options: ExampleAppOptions): express.Express {
  const { client, users } = options;
  // Session id → user id. In memory for the example; a real app uses its session store.
  const sessions = new Map<string, string>();
  const app = express();
  app.use(express.json({ limit: '10kb' }));

  app.post('/login', (req, res) => {
    const body: unknown = req.body;
    const { user_id, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const expected = typeof user_id === 'string' && Object.hasOwn(users, user_id) ? users[user_id] : undefined;
    if (typeof user_id !== 'string' || typeof password !== 'string' || expected === undefined || !samePassword(password, expected)) {
      res.status(401).json({ error: 'unauthenticated', message: 'Unknown user or wrong password' });
      return;
    }
    const sid = randomBytes(32).toString('base64url');
    sessions.set(sid, user_id);
    const secure = options.secureCookies === true ? '; Secure' : '';
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/${secure}`);
    res.status(204).end();
  });

  app.post('/logout', (req, res) => {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid !== undefined) sessions.delete(sid);
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`);
    res.status(204).end();
  });

  // The token-provider endpoint. `authenticate` answers who is signed in on this request (or null:
  // 401); the token is minted for that user and nobody else.
  app.get(
    '/token',
    client.tokenProvider({
      authenticate: (req) => {
        const sid = readCookie(req, SESSION_COOKIE);
        return sid === undefined ? null : (sessions.get(sid) ?? null);
      },
      validity_in_seconds: options.tokenValiditySeconds,
    }),
  );

  return app;
}
