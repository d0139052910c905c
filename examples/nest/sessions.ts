import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';

/** The injection token of the demo users (id → password). */
export const DEMO_USERS = Symbol('DEMO_USERS');

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

/** Sessions in memory (session id → user id), for the example; a real app uses its session store. */
@Injectable()
export class SessionStore {
  readonly #sessions = new Map<string, string>();

  constructor(@Inject(DEMO_USERS) private readonly users: Record<string, string>) {}

  /** Checks a password and opens a session; the session id, or undefined. */
  login(userId: unknown, password: unknown): string | undefined {
    if (typeof userId !== 'string' || typeof password !== 'string' || !Object.hasOwn(this.users, userId)) return undefined;
    const expected = this.users[userId] ?? '';
    // Hashes first, so the comparison takes the same time whatever the lengths.
    const same = timingSafeEqual(createHash('sha256').update(password).digest(), createHash('sha256').update(expected).digest());
    if (!same) return undefined;
    const sid = randomBytes(32).toString('base64url');
    this.#sessions.set(sid, userId);
    return sid;
  }

  /** Closes the session of this request, if any. */
  logout(req: IncomingMessage): void {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid !== undefined) this.#sessions.delete(sid);
  }

  /** The user signed in on this request, or null. */
  userFor(req: IncomingMessage): string | null {
    const sid = readCookie(req, SESSION_COOKIE);
    return sid === undefined ? null : (this.#sessions.get(sid) ?? null);
  }
}
