import { SignJWT } from 'jose';
import { ApiError, type ServerClient, TokenError } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { connectWithToken, iatMs, nextMillisecond, setup } from '../support/admin';

let emulator: Emulator;
let client: ServerClient;

beforeAll(async () => {
  ({ emulator, client } = await setup());
  await client.upsertUsers([{ id: 'user1' }, { id: 'user2' }, { id: 'rot' }, { id: 'appwide' }]);
});
afterAll(() => emulator.close());

describe('the seed snippets, end to end over real HTTP', () => {
  test('revoke with a Date: a token minted before is refused (44), one minted after works; null undoes it', async () => {
    const before = client.generateUserToken({ user_id: 'user1' });
    expect(await connectWithToken(emulator, before, 'user1')).toMatchObject({ status: 200, auth: 'jwt' });
    nextMillisecond(iatMs(before)); // the rule is exact to the millisecond: leave the token's

    await client.updateUsersPartial({ users: [{ id: 'user1', set: { revoke_tokens_issued_before: new Date() } }] });

    const after = client.generateUserToken({ user_id: 'user1' });
    expect(await connectWithToken(emulator, before, 'user1')).toEqual({ status: 401, code: 44 });
    expect(await connectWithToken(emulator, after, 'user1')).toMatchObject({ status: 200, auth: 'jwt' });

    // The same verdicts from the SDK's own check, with the cutoffs read back from the platform.
    const user = await client.getUser('user1');
    const app = await client.getApp();
    const cutoffs = { user: user.revoke_tokens_issued_before, app: app.revoke_tokens_issued_before };
    expect(user.revoke_tokens_issued_before).toBeInstanceOf(Date);
    await expect(client.verifyUserToken(before, { revokedBefore: cutoffs })).rejects.toMatchObject({ code: 44 });
    await expect(client.verifyUserToken(after, { revokedBefore: cutoffs })).resolves.toMatchObject({ user_id: 'user1' });

    await client.updateUsersPartial({ users: [{ id: 'user1', set: { revoke_tokens_issued_before: null } }] });
    expect(await connectWithToken(emulator, before, 'user1')).toMatchObject({ status: 200 }); // undo restores the old token
    expect((await client.getUser('user1')).revoke_tokens_issued_before).toBeNull();
  });

  test('updateApp({ revoke_tokens_issued_before: null }) runs as written and clears the app cutoff', async () => {
    await client.updateApp({ revoke_tokens_issued_before: new Date(Date.now() - 60_000) });
    const app = await client.updateApp({ revoke_tokens_issued_before: null });
    expect(app.revoke_tokens_issued_before).toBeNull();
    expect(emulator.app().revoke_tokens_issued_before).toBeNull();
  });
});

describe('helpers', () => {
  test('revokeUserTokens then restoreUserTokens: refused, then accepted again', async () => {
    const old = client.generateUserToken({ user_id: 'user2' });
    const { revokeTokensIssuedBefore } = await client.revokeUserTokens('user2');
    expect(revokeTokensIssuedBefore.getTime()).toBeGreaterThanOrEqual(iatMs(old) ?? Infinity);
    expect(await connectWithToken(emulator, old, 'user2')).toEqual({ status: 401, code: 44 });
    const fresh = client.generateUserToken({ user_id: 'user2' });
    expect(await connectWithToken(emulator, fresh, 'user2')).toMatchObject({ status: 200 });
    await client.restoreUserTokens(['user2']);
    expect(await connectWithToken(emulator, old, 'user2')).toMatchObject({ status: 200 });
  });

  test('app-level revocation refuses tokens with and without iat; restoreAppTokens undoes it', async () => {
    const secret = new TextEncoder().encode(emulator.apiSecret);
    const noIat = await new SignJWT({ user_id: 'appwide' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const withIat = client.generateUserToken({ user_id: 'appwide' });
    expect(await connectWithToken(emulator, noIat, 'appwide')).toMatchObject({ status: 200 });
    expect(await connectWithToken(emulator, withIat, 'appwide')).toMatchObject({ status: 200 });

    nextMillisecond(iatMs(withIat));
    const app = await client.revokeAppTokens(new Date());
    expect(app.revoke_tokens_issued_before).toBeInstanceOf(Date);
    expect(await connectWithToken(emulator, noIat, 'appwide')).toEqual({ status: 401, code: 44 });
    expect(await connectWithToken(emulator, withIat, 'appwide')).toEqual({ status: 401, code: 44 });
    // Another user is covered too: the cutoff is the app's.
    expect(await connectWithToken(emulator, client.createToken('user1', undefined, new Date(Date.now() - 5000)), 'user1')).toEqual({ status: 401, code: 44 });
    // A token minted after works; a token without iat is refused whenever a cutoff is set.
    expect(await connectWithToken(emulator, client.generateUserToken({ user_id: 'appwide' }), 'appwide')).toMatchObject({ status: 200 });
    const noIatAfter = await new SignJWT({ user_id: 'appwide' }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    expect(await connectWithToken(emulator, noIatAfter, 'appwide')).toEqual({ status: 401, code: 44 });

    await client.restoreAppTokens();
    expect(await connectWithToken(emulator, noIat, 'appwide')).toMatchObject({ status: 200 });
    expect(await connectWithToken(emulator, withIat, 'appwide')).toMatchObject({ status: 200 });
  });

  test('revokeAppTokens refuses to run without a date, and nothing changes', async () => {
    const writes = emulator.writes().length;
    const err = await client.revokeAppTokens(undefined as unknown as Date).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ArgumentError', code: 'ERR_ARGUMENT' });
    expect((err as Error).message).toMatch(/revokeAppTokens\('now'\)/);
    expect(emulator.writes()).toHaveLength(writes);
  });

  test('a revocation of an unknown user is an ApiError 16, and nothing is applied (all or nothing)', async () => {
    const writes = emulator.writes().length;
    const err = await client.revokeUserTokens(['user1', 'ghost']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 16, status: 404 });
    expect((err as ApiError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.writes()).toHaveLength(writes);
  });
});

describe('rotateUserToken', () => {
  test('in a loop crossing second boundaries: the new token works at once, the one before is refused', async () => {
    let previous = client.generateUserToken({ user_id: 'rot' });
    const seconds = new Set<number>();
    let iterations = 0;
    // At least 200 rotations, and on until the loop has crossed two second boundaries (bounded).
    while ((iterations < 200 || seconds.size < 3) && iterations < 5000) {
      const { token, revokeTokensIssuedBefore } = await client.rotateUserToken('rot', { validity_in_seconds: 600 });
      seconds.add(Math.floor(revokeTokensIssuedBefore.getTime() / 1000));
      const now = await connectWithToken(emulator, token, 'rot');
      const old = await connectWithToken(emulator, previous, 'rot');
      if (now.status !== 200 || old.code !== 44) {
        throw new Error(`iteration ${iterations}: new ${JSON.stringify(now)}, old ${JSON.stringify(old)}, cutoff ${revokeTokensIssuedBefore.getTime()}, iat ${iatMs(token)}, previous iat ${iatMs(previous)}`);
      }
      previous = token;
      iterations++;
    }
    expect(iterations).toBeGreaterThanOrEqual(200);
    expect(seconds.size).toBeGreaterThanOrEqual(3);
  });

  test('tokens minted just before a rotation, in the same millisecond, are refused too', async () => {
    for (let i = 0; i < 20; i++) {
      const old = client.generateUserToken({ user_id: 'rot' });
      const { token, user } = await client.rotateUserToken('rot');
      // Inclusive rule: the old token is in or before the cutoff's millisecond, the new one after it.
      expect(user.revoke_tokens_issued_before?.getTime()).toBeGreaterThanOrEqual(iatMs(old) ?? Infinity);
      expect(iatMs(token)).toBeGreaterThan(user.revoke_tokens_issued_before?.getTime() ?? Infinity);
      await expect(client.verifyUserToken(old, { revokedBefore: { user: user.revoke_tokens_issued_before } })).rejects.toBeInstanceOf(TokenError);
      await expect(client.verifyUserToken(token, { revokedBefore: { user: user.revoke_tokens_issued_before } })).resolves.toMatchObject({ user_id: 'rot' });
    }
  });
});
