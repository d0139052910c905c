// The refresh flow against the emulator: one provider call however many requests wait,
// no second refresh for a token refused again, clock and signing faults never refreshed.
import * as jose from 'jose';
import { ServerClient } from 'tokenkit';
import { AbortError, ApiError, ArgumentError } from 'tokenkit/client';
import { fakeDateOnly, moveClock } from '../support/fake-date';
import { type Platform, apiError, door, recordingFetch, rejection, startPlatform, waitForCount } from '../support/platform';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(() => p.close());
afterEach(async () => {
  jest.useRealTimers();
  await p.emulator.reset();
});

/** A backend's client for the emulator, made now: after fakeDateOnly() it mints by the faked clock. */
const backend = () => new ServerClient({ apiKey: p.emulator.apiKey, apiSecret: p.emulator.apiSecret });

/**
 * A provider that mints for `userId` with the emulator's secret, counting its calls. By default it
 * mints with the admin client, whose revocation cutoffs come after every token it minted (so a
 * revocation right after a mint in the same millisecond still revokes it).
 */
function minting(userId: string, validitySeconds = 3600, minter: ServerClient = p.server) {
  const counter = { calls: 0 };
  const provider = async (): Promise<string> => {
    counter.calls += 1;
    return minter.generateUserToken({ user_id: userId, validity_in_seconds: validitySeconds });
  };
  return { provider, counter };
}

const sign = (claims: jose.JWTPayload, secret = p.emulator.apiSecret) =>
  new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));

test('revoked while 50 requests go out: one provider call, every request succeeds', async () => {
  const { provider, counter } = minting('alice');
  const chat = p.chat();
  await chat.connectUser({ id: 'alice' }, provider);
  expect(counter.calls).toBe(1);
  await p.server.revokeUserTokens('alice');
  const users = await Promise.all(Array.from({ length: 50 }, () => chat.getUser('alice')));
  expect(users.every((u) => u.id === 'alice')).toBe(true);
  expect(counter.calls).toBe(2);
});

test('expired while 50 requests go out (the clock moved past exp): one provider call', async () => {
  fakeDateOnly();
  const { provider, counter } = minting('bob', 600, backend());
  const chat = p.chat();
  await chat.connectUser({ id: 'bob' }, provider);
  moveClock(601_000);
  const users = await Promise.all(Array.from({ length: 50 }, () => chat.updateMe({ set: { name: 'Bob' } })));
  expect(users.every((u) => u.name === 'Bob')).toBe(true);
  expect(counter.calls).toBe(2);
});

test('requests started during a refresh wait for it and go out with the new token only', async () => {
  const rec = recordingFetch();
  const gate = door();
  let calls = 0;
  const chat = p.chat({ fetch: rec.fetch });
  await chat.connectUser({ id: 'carol' }, async () => {
    calls += 1;
    if (calls > 1) await gate.wait();
    return p.server.generateUserToken({ user_id: 'carol' });
  });
  const oldToken = rec.sent[0]?.token;
  await p.server.revokeUserTokens('carol');
  const first = chat.getUser('carol');
  await waitForCount(() => calls, 2); // the refusal started the refresh, which waits at the door
  const later = Array.from({ length: 10 }, () => chat.getUser('carol'));
  gate.open();
  await Promise.all([first, ...later]);
  expect(calls).toBe(2);
  const getsWithOld = rec.sent.filter((s) => s.method === 'GET' && s.token === oldToken);
  expect(getsWithOld).toHaveLength(1); // only the first request; the 10 later ones waited
  expect(rec.sent.filter((s) => s.method === 'GET')).toHaveLength(12);
  expect(rec.sent.filter((s) => s.method === 'GET').every((s) => s.connectionId !== undefined)).toBe(true);
});

test('a refreshed token refused again ends in an error, one provider call, never a loop', async () => {
  const stale = p.server.generateUserToken({ user_id: 'dave' });
  let calls = 0;
  const chat = p.chat();
  await chat.connectUser({ id: 'dave' }, async () => {
    calls += 1;
    return stale; // a backend that keeps handing out the same (soon revoked) token
  });
  await p.server.revokeUserTokens('dave');
  const results = await Promise.all(Array.from({ length: 10 }, () => rejection(chat.getUser('dave'))));
  for (const err of results) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(44);
    expect((err as ApiError).message).toMatch(/Refused again .* not refreshing a second time/);
  }
  expect(calls).toBe(2);
  // A later request gets one more try, and ends the same way.
  await apiError(chat.getUser('dave'), 44);
  expect(calls).toBe(3);
});

test('a static token (no provider) refused as expired is an error at once', async () => {
  fakeDateOnly();
  const chat = p.chat();
  await chat.connectUser({ id: 'erin' }, backend().generateUserToken({ user_id: 'erin', validity_in_seconds: 60 }));
  moveClock(61_000);
  await apiError(chat.getUser('erin'), 40);
});

describe('clock and signing faults are reported, never refreshed', () => {
  const nowS = () => Math.floor(Date.now() / 1000);
  test.each<[string, number, (id: string) => Promise<string>, RegExp]>([
    ['nbf in the future (41)', 41, (id) => sign({ user_id: id, iat: nowS(), nbf: nowS() + 60, exp: nowS() + 3600 }), /clock fault.*NTP/],
    ['iat in the future (42)', 42, (id) => sign({ user_id: id, iat: nowS() + 60, exp: nowS() + 3600 }), /clock fault.*NTP/],
    ['signed with another secret (43)', 43, (id) => sign({ user_id: id, iat: nowS(), exp: nowS() + 3600 }, 'not-the-app-secret'), /signing fault.*secret/],
    ["another user's token (46)", 46, async () => sign({ user_id: 'someone-else', iat: nowS(), exp: nowS() + 3600 }), /another user/],
  ])('on connect: %s', async (_name, code, token, hint) => {
    let calls = 0;
    const err = await apiError(
      p.chat().connectUser({ id: 'frank' }, async () => {
        calls += 1;
        return token('frank');
      }),
      code,
    );
    expect(err.message).toMatch(hint);
    expect(calls).toBe(1);
  });

  test('mid-session: the provider answers a revocation with a token issued in the future (42)', async () => {
    let calls = 0;
    const chat = p.chat();
    await chat.connectUser({ id: 'gina' }, async () => {
      calls += 1;
      return calls === 1 ? p.server.generateUserToken({ user_id: 'gina' }) : sign({ user_id: 'gina', iat: nowS() + 120, exp: nowS() + 3600 });
    });
    await p.server.revokeUserTokens('gina');
    const err = await apiError(chat.getUser('gina'), 42);
    expect(err.message).toMatch(/clock fault/);
    expect(err.message).not.toMatch(/Refused again/);
    expect(calls).toBe(2);
  });
});

test('a provider that fails during a refresh fails every waiting request with its error, called once', async () => {
  let calls = 0;
  const chat = p.chat();
  await chat.connectUser({ id: 'hank' }, async () => {
    calls += 1;
    if (calls > 1) throw new Error('token endpoint answered 401: signed out');
    return p.server.generateUserToken({ user_id: 'hank' });
  });
  await p.server.revokeUserTokens('hank');
  const errors = await Promise.all(Array.from({ length: 20 }, () => rejection(chat.getUser('hank'))));
  expect(errors.every((e) => e instanceof Error && e.message === 'token endpoint answered 401: signed out')).toBe(true);
  expect(calls).toBe(2);
  // A request made after the failure tries the provider again (the user may have signed in again).
  await expect(chat.getUser('hank')).rejects.toThrow('signed out');
  expect(calls).toBe(3);
});

test('a provider that resolves with something other than a token is an ArgumentError', async () => {
  const err = await rejection(p.chat().connectUser({ id: 'ivy' }, async () => undefined as unknown as string));
  expect(err).toBeInstanceOf(ArgumentError);
  expect((err as ArgumentError).issues[0]?.path).toBe('tokenProvider');
});

test('connect with a provider whose first token is already expired: one refresh, then connected', async () => {
  fakeDateOnly();
  let calls = 0;
  const chat = p.chat();
  const minter = backend();
  const old = minter.generateUserToken({ user_id: 'jack', validity_in_seconds: 60 });
  moveClock(120_000);
  const connected = await chat.connectUser({ id: 'jack' }, async () => {
    calls += 1;
    return calls === 1 ? old : minter.generateUserToken({ user_id: 'jack' });
  });
  expect(connected.auth).toBe('jwt');
  expect(calls).toBe(2);
});

test('a guest whose token expired gets a new guest token from the platform by itself', async () => {
  fakeDateOnly();
  const rec = recordingFetch();
  const chat = p.chat({ fetch: rec.fetch });
  await chat.setGuestUser({ id: 'night-guest', name: 'Owl' });
  moveClock(25 * 3600 * 1000);
  const users = await Promise.all(Array.from({ length: 10 }, () => chat.getUser('night-guest')));
  expect(users[0]?.role).toBe('guest');
  expect(rec.sent.filter((s) => s.path === '/v1/guest')).toHaveLength(2);
});

test('refresh ahead of exp: inside the window, the next requests fetch one new token first and are never refused', async () => {
  fakeDateOnly();
  const rec = recordingFetch();
  const { provider, counter } = minting('kate', 600, backend());
  const chat = p.chat({ fetch: rec.fetch, refreshAheadSeconds: 60 });
  await chat.connectUser({ id: 'kate' }, provider);
  await chat.getUser('kate');
  expect(counter.calls).toBe(1);
  moveClock(545_000); // 55 s left: inside the 60 s window
  const first = rec.sent.length;
  await Promise.all(Array.from({ length: 50 }, () => chat.getUser('kate')));
  expect(counter.calls).toBe(2);
  const tokens = new Set(rec.sent.slice(first).map((s) => s.token));
  expect(tokens.size).toBe(1); // all 50 went out once, with the new token
  expect(rec.sent.length - first).toBe(50);
});

describe('disconnecting and switching users leaves nothing behind', () => {
  test('disconnect during a refresh rejects the waiting requests; the late token is never used', async () => {
    const rec = recordingFetch();
    const gate = door();
    let calls = 0;
    const chat = p.chat({ fetch: rec.fetch });
    await chat.connectUser({ id: 'lena' }, async () => {
      calls += 1;
      if (calls > 1) await gate.wait();
      return p.server.generateUserToken({ user_id: 'lena' });
    });
    await p.server.revokeUserTokens('lena');
    const waiting = Array.from({ length: 5 }, () => rejection(chat.getUser('lena')));
    await waitForCount(() => calls, 2);
    await chat.disconnectUser();
    const errors = await Promise.all(waiting);
    expect(errors.every((e) => e instanceof AbortError)).toBe(true);
    expect(chat.userId).toBeUndefined();
    await expect(chat.getUser('lena')).rejects.toMatchObject({ code: 45 });
    const sentBefore = rec.sent.length;
    gate.open();
    await chat.connectUser({ id: 'mia' }, p.server.generateUserToken({ user_id: 'mia' }));
    await chat.getUser('mia');
    const after = rec.sent.slice(sentBefore);
    const lenaTokens = new Set(rec.sent.slice(0, sentBefore).map((s) => s.token));
    expect(after.every((s) => !lenaTokens.has(s.token))).toBe(true);
    expect(new Set(after.map((s) => s.connectionId).filter(Boolean)).size).toBe(1);
    expect(rec.sent.slice(0, sentBefore).some((s) => s.connectionId === after[1]?.connectionId)).toBe(false);
  });

  test("switching users rejects the previous user's requests in flight; the previous provider is never called again", async () => {
    const gate = door();
    let held = 0;
    const chat = p.chat({
      fetch: async (input, init) => {
        if (String(input).endsWith('/v1/users/nora')) {
          held += 1;
          await gate.wait();
        }
        return fetch(input, init);
      },
    });
    const nora = minting('nora');
    await chat.connectUser({ id: 'nora' }, nora.provider);
    const inFlight = Array.from({ length: 5 }, () => rejection(chat.getUser('nora')));
    await waitForCount(() => held, 5);
    const otto = minting('otto');
    await chat.connectUser({ id: 'otto' }, otto.provider);
    gate.open();
    expect((await Promise.all(inFlight)).every((e) => e instanceof AbortError)).toBe(true);
    expect(chat.userId).toBe('otto');
    await p.server.revokeUserTokens('otto');
    expect((await chat.getUser('otto')).id).toBe('otto');
    expect(nora.counter.calls).toBe(1);
    expect(otto.counter.calls).toBe(2);
  });
});
