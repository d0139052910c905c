// The shapes the dashboard's API sends to the page: imported by the server side and by the page
// (ui/, type-only), so the two cannot drift. No imports: the page's build reads this file too.

/** How a request authenticated, as far as its headers tell (nothing is verified here). */
export type RequestAuthKind = 'server' | 'jwt' | 'dev' | 'session' | 'connection' | 'none';

/** One line of the dashboard's Requests page. Never a header value, a token, a secret or a body. */
export interface RequestEntry {
  /** Order of arrival, from 1. */
  seq: number;
  /** When it was answered, epoch ms (wall time). */
  at: number;
  method: string;
  path: string;
  /** The contract route (`"METHOD /path"`), or null for an unknown path. */
  route: string | null;
  status: number | 'dropped';
  /** The platform error code of an error answer, else null. */
  code: number | null;
  /** The error message of an error answer (the platform's words; never holds a token), else null. */
  message: string | null;
  /** The user the request names: the token's `user_id`, the connection's user, or the path's id for an admin route. */
  user: string | null;
  auth: RequestAuthKind;
  ms: number;
  requestId: string;
  fault: string | null;
}

/** One claim of a token, with what it means in words. */
export interface ClaimLine {
  name: string;
  /** The claim's value as JSON text. */
  value: string;
  words: string;
}

/** What the Token inspector shows: no part of the answer repeats the token itself. */
export interface Inspection {
  kind: 'jwt' | 'dev' | 'session' | 'unreadable';
  header: Record<string, unknown> | null;
  claims: ClaimLine[];
  verdict: { ok: boolean; status: number; code: number | null; reason: string; userId: string | null };
  /** Epoch ms of the timeline's marks (null where absent). */
  times: { now: number; iat: number | null; exp: number | null; userCutoff: number | null; appCutoff: number | null };
}

