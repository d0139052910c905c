import { checkClientToken, type AuthContext } from '../auth';
import { PlatformError } from '../errors';
import { decodeJsonSegment } from '../../tokens/jws';
import { MAX_TOKEN_LENGTH } from '../../tokens/verify';
import type { Inspection } from './wire';

/** `12:00:00.123` (UTC): the clock time of an epoch-ms instant, to the millisecond. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function ago(deltaMs: number): string {
  const abs = Math.abs(deltaMs);
  const text =
    abs < 1000 ? `${abs} ms` : abs < 120_000 ? `${Math.round(abs / 1000)} s` : abs < 7_200_000 ? `${Math.round(abs / 60_000)} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} days`;
  return deltaMs >= 0 ? `${text} ago` : `in ${text}`;
}

function seconds(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v * 1000 : null;
}

function words(name: string, value: unknown, now: number): string {
  const ms = seconds(value);
  switch (name) {
    case 'user_id':
      return 'the user this token is for';
    case 'iat':
      return ms === null ? 'issued-at: not a number of seconds' : `issued at ${new Date(ms).toISOString()} (${ago(now - ms)})`;
    case 'exp':
      return ms === null ? 'expiry: not a number of seconds' : ms <= now ? `expired at ${new Date(ms).toISOString()} (${ago(now - ms)})` : `expires at ${new Date(ms).toISOString()} (${ago(now - ms)})`;
    case 'nbf':
      return ms === null ? 'not-before: not a number of seconds' : `not valid before ${new Date(ms).toISOString()}`;
    case 'server':
      return value === true ? 'a server token: for admin routes only' : 'server flag';
    default:
      return 'a custom claim (the platform passes it through)';
  }
}

/** The reason of a 44, with the clock times of `iat` and of the cutoff that revoked it. */
function revokedReason(iat: number | null, userCutoff: number | null, appCutoff: number | null, fallback: string): string {
  if (iat === null) return fallback;
  const cutoffs: Array<[string, number | null]> = [
    ["the user's cutoff", userCutoff],
    ["the app's cutoff", appCutoff],
  ];
  const hit = cutoffs.filter((c): c is [string, number] => c[1] !== null && iat < c[1]).sort((a, b) => b[1] - a[1])[0];
  return hit ? `revoked: iat ${clockTime(iat)} is before ${hit[0]} ${clockTime(hit[1])}` : fallback;
}

/** Reads a token as the platform would now: header, claims in words, the verdict, the timeline. */
export function inspectToken(token: string, auth: AuthContext): Inspection {
  const now = auth.nowMs;
  const app = auth.state.app;
  const appCutoff = app.revoke_tokens_issued_before?.getTime() ?? null;
  let header: Record<string, unknown> | null = null;
  let claims: Record<string, unknown> | null = null;
  let kind: Inspection['kind'] = 'unreadable';
  if (token.length <= MAX_TOKEN_LENGTH) {
    const parts = token.split('.');
    if (parts.length === 3) {
      header = decodeJsonSegment(parts[0] ?? '') ?? null;
      claims = decodeJsonSegment(parts[1] ?? '') ?? null;
      if (header && claims) kind = parts[2] === 'devtoken' ? 'dev' : 'jwt';
    } else if (parts.length === 1 && token !== '') kind = 'session';
  }
  const userId = typeof claims?.['user_id'] === 'string' ? claims['user_id'] : null;
  const userCutoff = userId === null ? null : (auth.state.users.get(userId)?.revoke_tokens_issued_before?.getTime() ?? null);
  const iat = seconds(claims?.['iat']);
  const exp = seconds(claims?.['exp']);
  let verdict: Inspection['verdict'];
  try {
    const checked = checkClientToken(token, undefined, auth);
    const how = checked.auth === 'dev' ? 'a dev token, accepted while auth checks are disabled' : checked.auth === 'session' ? 'a stored session token' : 'signed with the app secret';
    verdict = { ok: true, status: 200, code: null, reason: `accepted: ${how}, for user "${checked.userId}"`, userId: checked.userId };
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    const reason = err.code === 44 ? revokedReason(iat, userCutoff, appCutoff, err.message) : err.message;
    verdict = { ok: false, status: err.status, code: err.code, reason, userId };
  }
  return {
    kind,
    header,
    claims: Object.entries(claims ?? {}).map(([name, value]) => ({ name, value: JSON.stringify(value), words: words(name, value, now) })),
    verdict,
    times: { now, iat, exp, userCutoff, appCutoff },
  };
}
