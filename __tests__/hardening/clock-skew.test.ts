// Clock skew between the backend (this process, the real clock) and the platform (an emulator whose
// clock is real time ± d, moving with it: a frozen clock would drift further off while the test
// runs). Up to the tolerance (4.9 s either way) admin calls,
// token checks, revocation, rotation and restore behave; cutoffs the platform picks by its own
// clock have the documented gap (docs/revocation.md); beyond the tolerance the platform answers
// 42 / 41 with a message that names the clocks, on user and admin routes alike.
import jwt from 'jsonwebtoken';
import { ApiError, type ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { connectOutcome } from '../support/hardening';
import { serverClientFor, userClientFor } from '../support/clients';

async function platformAt(offsetMs: number): Promise<{ emu: Emulator; client: ServerClient }> {
  const emu = await startEmulator({ clock: { now: () => Date.now() + offsetMs } });
  const client = serverClientFor(emu, { maxRetries: 0 });
  return { emu, client };
}

/** Waits (a few ms at most) until the real clock has left the current millisecond. */
function nextMs(): void {
  const start = Date.now();
  for (let i = 0; i < 1_000_000 && Date.now() === start; i++);
}

describe.each([
  ['ahead of', 4900],
  ['behind', -4900],
])('a platform clock %s the backend by 4.9 s (within the 5 s tolerance)', (_label, offset) => {
  let emu: Emulator;
  let client: ServerClient;
  beforeAll(async () => ({ emu, client } = await platformAt(offset)));
  afterAll(() => emu.close());

  test('admin calls pass (the server token is within the tolerance) and fresh tokens connect', async () => {
    await client.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
    await expect(client.getApp()).resolves.toMatchObject({ revoke_tokens_issued_before: null });
    await expect(connectOutcome(emu, client.generateUserToken({ user_id: 'alice' }))).resolves.toBe('ok');
    const nbfNow = jwt.sign({ user_id: 'alice', nbf: Math.floor(Date.now() / 1000) }, emu.apiSecret, { algorithm: 'HS256' });
    await expect(connectOutcome(emu, nbfNow)).resolves.toBe('ok');
    await expect(connectOutcome(emu, client.createToken('alice', Math.floor(Date.now() / 1000) + 60))).resolves.toBe('ok');
  });

  test('revokeUserTokens (a cutoff from the backend clock): the old token is refused (44), one minted right after is accepted', async () => {
    const old = client.generateUserToken({ user_id: 'alice' });
    nextMs();
    const { revokeTokensIssuedBefore } = await client.revokeUserTokens('alice');
    const fresh = client.generateUserToken({ user_id: 'alice' });
    await expect(connectOutcome(emu, old)).resolves.toBe(44);
    await expect(connectOutcome(emu, fresh)).resolves.toBe('ok');
    expect(emu.user('alice')?.revoke_tokens_issued_before).toEqual(revokeTokensIssuedBefore);
    // The SDK's own check agrees with the platform's.
    const cutoffs = { user: revokeTokensIssuedBefore };
    await expect(client.verifyUserToken(old, { revokedBefore: cutoffs })).rejects.toMatchObject({ code: 44 });
    await expect(client.verifyUserToken(fresh, { revokedBefore: cutoffs })).resolves.toMatchObject({ user_id: 'alice' });
  });

  test('rotateUserToken: the new token connects at once, every older one is refused; restore brings them back', async () => {
    const before = [client.generateUserToken({ user_id: 'bob' }), client.createToken('bob', Math.floor(Date.now() / 1000) + 600)];
    for (let i = 0; i < 5; i++) {
      const rotated = await client.rotateUserToken('bob');
      await expect(connectOutcome(emu, rotated.token, 'bob')).resolves.toBe('ok');
      for (const t of before) await expect(connectOutcome(emu, t, 'bob')).resolves.toBe(44);
      before.push(rotated.token);
    }
    await client.restoreUserTokens('bob');
    for (const t of before) await expect(connectOutcome(emu, t, 'bob')).resolves.toBe('ok');
  });

  test('revokeAllTokens (a cutoff from the platform clock) has the documented gap, and no more', async () => {
    const { revokeTokensIssuedBefore: cutoff } = await client.revokeAllTokens('alice');
    expect(Math.abs(cutoff.getTime() - (Date.now() + offset))).toBeLessThan(1000);
    const mintedAt = (ms: number) => client.createToken('alice', Math.floor(ms / 1000) + 600, ms / 1000);
    if (offset > 0) {
      // The platform is ahead: tokens minted now carry an iat before its cutoff, until the
      // backend clock reaches the cutoff ("mint only once your clock has passed it").
      await expect(connectOutcome(emu, client.generateUserToken({ user_id: 'alice' }))).resolves.toBe(44);
      // The rule is inclusive: a token of the cutoff's millisecond is refused, one a millisecond later accepted.
      await expect(connectOutcome(emu, mintedAt(cutoff.getTime()))).resolves.toBe(44);
      await expect(connectOutcome(emu, mintedAt(cutoff.getTime() + 1))).resolves.toBe('ok');
    } else {
      // The platform is behind: tokens minted up to 4.9 s before the call survive it; older ones do not.
      await expect(connectOutcome(emu, mintedAt(Date.now() - 1000))).resolves.toBe('ok');
      await expect(connectOutcome(emu, mintedAt(cutoff.getTime() - 1))).resolves.toBe(44);
      await expect(connectOutcome(emu, client.generateUserToken({ user_id: 'alice' }))).resolves.toBe('ok');
    }
  });
});

describe('a platform clock behind the backend by more than the tolerance', () => {
  let emu: Emulator;
  let client: ServerClient;
  beforeAll(async () => ({ emu, client } = await platformAt(-6000)));
  afterAll(() => emu.close());

  test('a fresh token is "issued in the future" (42) and an nbf of now is "not valid yet" (41), both naming the clocks', async () => {
    const token = client.generateUserToken({ user_id: 'alice' });
    const a = await fetch(`${emu.url}/v1/connect`, {
      method: 'POST',
      headers: { 'Api-Key': emu.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{"user_id":"alice"}',
    });
    const body = (await a.json()) as { code: number; message: string };
    expect(body.code).toBe(42);
    expect(body.message).toMatch(/clock/);
    const nbf = jwt.sign({ user_id: 'alice', nbf: Math.floor(Date.now() / 1000) + 1 }, emu.apiSecret, { algorithm: 'HS256', noTimestamp: true });
    await expect(connectOutcome(emu, nbf)).resolves.toBe(41);
    // The UserClient reports both as clock faults, not as something a new token would fix.
    const chat = userClientFor(emu);
    for (const [t, code] of [[token, 42], [nbf, 41]] as const) {
      const err = await chat.connectUser({ id: 'alice' }, t).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ApiError', code });
      expect((err as Error).message).toMatch(/clock fault/);
    }
    // The SDK's own check, at the platform's time, says the same.
    await expect(client.verifyUserToken(token, { now: emu.clock.now() })).rejects.toMatchObject({ code: 42, message: expect.stringMatching(/clock/) });
    await expect(client.verifyUserToken(nbf, { now: emu.clock.now() })).rejects.toMatchObject({ code: 41, message: expect.stringMatching(/clock/) });
  });

  test('admin calls are refused with 42 (the server token is issued in the future), naming the clocks, and not retried as if transient', async () => {
    const attempts: number[] = [];
    const logged = serverClientFor(emu, { logger: (r) => attempts.push(r.attempt) });
    const err = await logged.getApp().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 42 });
    expect((err as Error).message).toMatch(/clock/);
    expect(attempts).toEqual([1]);
  });
});

describe('a platform clock ahead of the backend by more than the tolerance', () => {
  test('tokens are still accepted (nothing is in the future) but expire by the platform clock (40), and server tokens last 300 s', async () => {
    const { emu, client } = await platformAt(120_000);
    try {
      await expect(connectOutcome(emu, client.generateUserToken({ user_id: 'alice', validity_in_seconds: 3600 }))).resolves.toBe('ok');
      await expect(connectOutcome(emu, client.generateUserToken({ user_id: 'alice', validity_in_seconds: 60 }))).resolves.toBe(40);
      await expect(client.getApp()).resolves.toBeDefined(); // 120 s of a 300 s server token
    } finally {
      await emu.close();
    }
    const far = await platformAt(301_000);
    try {
      await expect(far.client.getApp()).rejects.toMatchObject({ status: 401, code: 40 });
    } finally {
      await far.emu.close();
    }
  });
});
