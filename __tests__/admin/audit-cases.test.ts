// The revocation audit's cases: verifyUserToken and the emulator agree with each other and with the
// JWS standard; rotateUserToken never answers a token that is already refused; a token provider
// that never answers is bounded; issueToken refuses an expiry the platform would refuse; a token
// without user_id says so; the docs agree on what cutoffs do to legacy session tokens.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, TimeoutError, TokenError, verifyUserToken } from 'tokenkit';
import { ApiError, UserClient } from 'tokenkit/client';
import { connectWithToken, useAdminEmulator } from '../support/admin';
import type { Emulator } from 'tokenkit/emulator';
import type { ServerClient } from 'tokenkit';
import { userClientFor } from '../support/clients';

let emulator: Emulator;
let client: ServerClient;
useAdminEmulator([{ id: 'alice' }], (e, c) => {
  emulator = e;
  client = c;
});

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A compact HS256 JWS over the segments exactly as given (they may be other than base64url). */
function signRaw(header: string, payload: string, secret = emulator.apiSecret): string {
  const input = `${header}.${payload}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const sign = (header: Record<string, unknown>, payload: Record<string, unknown>): string => signRaw(b64(header), b64(payload));
const nowS = (): number => Date.now() / 1000;

/** verifyUserToken's code and message for `token` (or 'ok'). */
async function local(token: string, options: { userId?: string; disableAuthChecks?: boolean } = {}): Promise<{ code: number | 'ok'; message: string }> {
  return verifyUserToken(token, { secret: emulator.apiSecret, ...options }).then(
    () => ({ code: 'ok' as const, message: '' }),
    (err: unknown) => {
      if (!(err instanceof TokenError)) throw err;
      return { code: err.code, message: err.message };
    },
  );
}

/** The platform's code for a connect with `token` (or 'ok'), and its message. */
async function platform(token: string, userId?: string): Promise<{ code: number | 'ok'; message: string }> {
  const res = await fetch(`${emulator.url}/v1/connect`, {
    method: 'POST',
    headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(userId === undefined ? {} : { user_id: userId }),
  });
  const body = (await res.json()) as { code?: number; message?: string };
  return res.ok ? { code: 'ok', message: '' } : { code: body.code ?? 0, message: body.message ?? '' };
}

describe('crit (RFC 7515 §4.1.11): a header naming an extension tokenkit does not understand is malformed', () => {
  test.each([
    ['an unknown extension', ['exp-ms']],
    ['an empty list', []],
    ['not a list', 'b64'],
  ])('%s: 43 from verifyUserToken and from the platform', async (_label, crit) => {
    const token = sign({ alg: 'HS256', typ: 'JWT', crit, 'exp-ms': 1 }, { user_id: 'alice', iat: nowS() });
    const mine = await local(token, { userId: 'alice' });
    expect(mine.code).toBe(43);
    expect(mine.message).toContain('crit');
    expect(await platform(token, 'alice')).toEqual(mine);
  });

  test('with auth checks off too (the header is still read), and in a server token on an admin route', async () => {
    const token = sign({ alg: 'HS256', crit: ['x'] }, { user_id: 'alice' });
    expect((await local(token, { disableAuthChecks: true })).code).toBe(43);
    const server = sign({ alg: 'HS256', typ: 'JWT', crit: ['x'] }, { server: true, iat: Math.floor(nowS()), exp: Math.floor(nowS()) + 60 });
    const res = await fetch(`${emulator.url}/v1/app`, { headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${server}` } });
    const body = (await res.json()) as { code: number; message: string };
    expect([res.status, body.code]).toEqual([401, 43]);
    expect(body.message).toContain('crit');
  });

  // kid 'initial' is the emulator's first secret: a kid the app does not hold is 43 (docs/platform-api.md, "App secrets and rotation").
  test('the same header without crit is accepted (the check is only crit)', async () => {
    const token = sign({ alg: 'HS256', typ: 'JWT', kid: 'initial' }, { user_id: 'alice', iat: nowS() });
    expect(await local(token, { userId: 'alice' })).toEqual({ code: 'ok', message: '' });
    expect((await platform(token, 'alice')).code).toBe('ok');
  });
});

describe('user_id: a claim the platform would refuse is refused locally, with the same code', () => {
  test.each(['not valid!', '', 'x'.repeat(129), 'a/b'])('user_id %j: 43 on both sides', async (userId) => {
    const token = sign({ alg: 'HS256', typ: 'JWT' }, { user_id: userId, iat: nowS() });
    const mine = await local(token);
    expect(mine.code).toBe(43);
    expect(mine.message).toContain('user_id is not a valid user id');
    expect((await platform(token)).code).toBe(43);
  });
});

describe('base64 in segments: base64url without padding for signed tokens; dev tokens may use standard base64', () => {
  test('a JWT with "=" padding in its payload: 43 on both sides, the message names the padding', async () => {
    const payload = b64({ user_id: 'alice', iat: nowS(), pad: 'x' });
    const padded = payload + '='.repeat((4 - (payload.length % 4)) % 4 || 2);
    const token = signRaw(b64({ alg: 'HS256', typ: 'JWT' }), padded);
    const mine = await local(token, { userId: 'alice' });
    expect(mine.code).toBe(43);
    expect(mine.message).toContain('padding');
    expect((await platform(token, 'alice')).code).toBe(43);
  });

  test('a JWT whose header is standard base64 ("+" or "/"): 43 on both sides, the message says so', async () => {
    // A header whose base64 holds "/" and "+": chosen so that both characters appear.
    const header = { alg: 'HS256', typ: 'JWT', kid: '??>>??>>' };
    const std = Buffer.from(JSON.stringify(header)).toString('base64').replace(/=+$/, '');
    expect(std).toMatch(/[+/]/);
    const token = signRaw(std, b64({ user_id: 'alice', iat: nowS() }));
    const mine = await local(token, { userId: 'alice' });
    expect(mine.code).toBe(43);
    expect(mine.message).toContain('standard base64 alphabet');
    expect((await platform(token, 'alice')).code).toBe(43);
  });

  test('a dev token written in standard base64 with padding (as other SDKs write it): accepted on both sides with auth checks off', async () => {
    const payload = Buffer.from(JSON.stringify({ user_id: 'alice', note: '>>>???' })).toString('base64');
    expect(payload).toMatch(/[=+/]/);
    const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${payload}.devtoken`;
    expect(await local(token, { userId: 'alice', disableAuthChecks: true })).toEqual({ code: 'ok', message: '' });
    await client.updateApp({ disable_auth_checks: true });
    try {
      expect((await platform(token, 'alice')).code).toBe('ok');
    } finally {
      await client.updateApp({ disable_auth_checks: false });
    }
    expect((await local(token, { userId: 'alice' })).code).toBe(43); // auth checks on: refused, as every dev token
  });
});

describe('rotateUserToken never resolves with a token that is already refused', () => {
  test('under an app cutoff in the future: rejects with a TokenError 44 naming it, and changes nothing', async () => {
    const future = new Date(Date.now() + 3_600_000);
    await client.revokeAppTokens(future);
    try {
      const before = emulator.user('alice')?.revoke_tokens_issued_before ?? null;
      const err = await client.rotateUserToken('alice').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenError);
      expect(err).toMatchObject({ code: 44 });
      expect((err as Error).message).toContain(future.toISOString());
      expect((err as Error).message).toContain('Nothing was changed');
      expect(emulator.user('alice')?.revoke_tokens_issued_before ?? null).toEqual(before);
    } finally {
      await client.restoreAppTokens();
    }
    const { token } = await client.rotateUserToken('alice');
    expect((await connectWithToken(emulator, token, 'alice')).status).toBe(200);
  });
});

describe('UserClient: a token provider that never answers is bounded', () => {
  test('every request waiting for the token rejects with a TimeoutError; nothing hangs; the next request asks again', async () => {
    const chat = userClientFor(emulator, { tokenProviderTimeoutMs: 150 });
    let calls = 0;
    let answer = true;
    const provider = (): Promise<string> => {
      calls++;
      return answer ? Promise.resolve(client.generateUserToken({ user_id: 'alice' })) : new Promise<string>(() => undefined);
    };
    await chat.connectUser({ id: 'alice' }, provider);
    await client.revokeUserTokens('alice'); // the token is refused (44): the requests refresh it
    answer = false;
    const waiting = await Promise.all([chat.getUser('alice'), chat.getUser('alice'), chat.updateMe({ set: { mood: 'x' } })].map((p) => p.catch((e: unknown) => e)));
    for (const err of waiting) {
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toContain('token provider did not answer within 150 ms');
    }
    expect(calls).toBe(2); // one call for all three waiting requests
    answer = true;
    await expect(chat.getUser('alice')).resolves.toMatchObject({ id: 'alice' });
    expect(calls).toBe(3);
    await chat.disconnectUser();
  });

  test('tokenProviderTimeoutMs is checked like the other options', () => {
    expect(() => new UserClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1', tokenProviderTimeoutMs: 0 })).toThrow(/tokenProviderTimeoutMs/);
  });
});

describe('issueToken: an expiry the platform would refuse is refused locally', () => {
  test('an expiresAt inside the current second: ArgumentError naming expiresAt, before any request', async () => {
    const writes = emulator.writes().length;
    let now = Date.now();
    while (now % 1000 > 900) now = Date.now(); // leave room in this second (bounded: under 100 ms)
    const inThisSecond = new Date(Math.floor(now / 1000) * 1000 + 999);
    const err = await client.issueToken('alice', { expiresAt: inThisSecond }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).issues[0]?.path).toBe('expiresAt');
    expect((err as Error).message).toContain('whole seconds');
    expect(emulator.writes()).toHaveLength(writes);
  });

  test('the platform: an expires_at that looks like seconds is a 400 that says so', async () => {
    const seconds = Math.floor(Date.now() / 1000) + 3600;
    const res = await fetch(`${emulator.url}/v1/users/alice/token`, {
      method: 'POST',
      headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${emulator.serverToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ expires_at: seconds }),
    });
    const body = (await res.json()) as { code: number; message: string };
    expect([res.status, body.code]).toEqual([400, 4]);
    expect(body.message).toContain(`expires_at: ${seconds} looks like seconds since the epoch`);
    expect(body.message).toContain(String(seconds * 1000));
  });
});

describe('a token without user_id says so', () => {
  test('verifyUserToken, the platform and the UserClient: 46 with a message about the missing user_id, not "another user"', async () => {
    const token = sign({ alg: 'HS256', typ: 'JWT' }, { iat: nowS() });
    const mine = await local(token, { userId: 'alice' });
    expect(mine.code).toBe(46);
    expect(mine.message).toContain('no user_id');
    expect(await platform(token, 'alice')).toEqual(mine);
    const chat = userClientFor(emulator);
    const err = await chat.connectUser({ id: 'alice' }, token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(46);
    expect((err as Error).message).toContain('without a user_id claim');
    expect((err as Error).message).not.toContain('another user');
  });
});

describe('legacy session tokens and cutoffs: the contract, revocation.md and the platform agree', () => {
  test('a cutoff set with PATCH does not refuse a session token; DELETE does (44)', async () => {
    await client.updateApp({ jwt_enabled: false });
    try {
      const { token } = await client.issueToken('alice');
      expect(token).not.toContain('.');
      await client.revokeUserTokens('alice');
      await client.revokeAppTokens('now');
      expect((await connectWithToken(emulator, token, 'alice')).status).toBe(200);
      await client.revokeAllTokens('alice');
      expect(await connectWithToken(emulator, token, 'alice')).toEqual({ status: 401, code: 44 });
    } finally {
      await client.updateApp({ jwt_enabled: true, revoke_tokens_issued_before: null });
      await client.restoreUserTokens('alice');
    }
  });

  test('both documents say so', () => {
    const doc = (name: string) => readFileSync(join(__dirname, '..', '..', 'docs', name), 'utf8').replace(/\s+/g, ' ');
    expect(doc('platform-api.md')).toContain('Cutoffs apply to JWTs only. A legacy session token has no `iat`');
    expect(doc('platform-api.md')).toContain('does **not** refuse session tokens');
    expect(doc('revocation.md')).toContain('Cutoffs apply to JWTs only. **Legacy session tokens**');
    expect(doc('revocation.md')).toContain('does not refuse them');
  });
});
