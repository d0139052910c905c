import { ApiError, type ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { connectWithToken, iatMs, nextMillisecond, useAdminEmulator } from '../support/admin';
import { serverClientFor } from '../support/clients';

let emulator: Emulator;
let client: ServerClient;

useAdminEmulator(
  [{ id: 'alice', name: 'Alice', plan: 'pro' }],
  (e, c) => {
    emulator = e;
    client = c;
  },
  { resetEachTest: true },
);

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('mode 1: jwt_enabled (the default)', () => {
  test('issueToken: a JWT from POST /v1/users/{id}/token, 7 days by default, accepted at once', async () => {
    const { token, expiresAt } = await client.issueToken('alice');
    expect(token.split('.')).toHaveLength(3);
    expect(claimsOf(token)).toMatchObject({ user_id: 'alice', exp: expiresAt.getTime() / 1000 });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 7 * 24 * 3600 * 1000 - 60_000);
    expect(await connectWithToken(emulator, token, 'alice')).toMatchObject({ status: 200, auth: 'jwt' });
    expect((await client.getUser('alice')).requires_token).toBe(true);
    expect(emulator.writes({ userId: 'alice', route: 'POST /v1/users/:id/token' })).toHaveLength(1);
  });

  test('issueToken with expiresAt: the expiry comes back (whole seconds for a JWT)', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    await expect(client.issueToken('alice', { expiresAt: at })).resolves.toMatchObject({ expiresAt: at });
  });

  test('compatibility mode while the app has it off: a clear error, and nothing changed', async () => {
    const before = emulator.user('alice');
    const writes = emulator.writes().length;
    const compat = serverClientFor(emulator, { compatibilityMode: true });
    const err = (await compat.issueToken('alice').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 4, status: 400 });
    expect(err.message).toMatch(/jwt_compatibility_mode/);
    expect(err.message).toMatch(/updateApp\(\{ jwt_compatibility_mode: true \}\)/);
    expect(err.message).toMatch(/drop compatibilityMode/);
    expect(emulator.user('alice')).toEqual(before);
    expect(emulator.writes()).toHaveLength(writes);
    // Per call, the same; and an unknown user is not created.
    await expect(client.issueToken('newcomer', { compatibilityMode: true })).rejects.toMatchObject({ code: 4 });
    expect(emulator.user('newcomer')).toBeUndefined();
  });

  test('revokeAllTokens: the platform sets the cutoff by its clock; the token issued before is refused', async () => {
    const { token } = await client.issueToken('alice');
    nextMillisecond(iatMs(token)); // the platform's cutoff is its "now": leave the token's millisecond
    const { revokeTokensIssuedBefore } = await client.revokeAllTokens('alice');
    expect((await client.getUser('alice')).revoke_tokens_issued_before).toEqual(revokeTokensIssuedBefore);
    expect(await connectWithToken(emulator, token, 'alice')).toEqual({ status: 401, code: 44 });
    const { token: next } = await client.issueToken('alice');
    expect(await connectWithToken(emulator, next, 'alice')).toMatchObject({ status: 200 });
  });

  test('an unknown user: ApiError 16', async () => {
    await expect(client.issueToken('ghost')).rejects.toMatchObject({ name: 'ApiError', code: 16, status: 404 });
    await expect(client.revokeAllTokens('ghost')).rejects.toMatchObject({ code: 16 });
  });
});

describe('mode 2: jwt_compatibility_mode', () => {
  beforeEach(async () => {
    await client.updateApp({ jwt_compatibility_mode: true });
  });

  test('issueToken through PUT /v1/users/{id}: a JWT, the same shape, the profile kept', async () => {
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 600_000);
    const issued = await client.issueToken('alice', { compatibilityMode: true, expiresAt });
    expect(issued).toEqual({ token: expect.any(String), expiresAt });
    expect(claimsOf(issued.token)).toMatchObject({ user_id: 'alice' });
    expect(await connectWithToken(emulator, issued.token, 'alice')).toMatchObject({ status: 200, auth: 'jwt' });
    expect(emulator.user('alice')).toMatchObject({ name: 'Alice', plan: 'pro', requires_token: true });
    expect(emulator.writes({ userId: 'alice', route: 'PUT /v1/users/:id' }).map((w) => w.tokenIssued)).toEqual(['jwt']);
  });

  test('the client option: compatibilityMode: true on the client', async () => {
    const compat = serverClientFor(emulator, { compatibilityMode: true });
    const { token } = await compat.issueToken('bob');
    expect(await connectWithToken(emulator, token, 'bob')).toMatchObject({ status: 200 });
    expect(emulator.user('bob')).toMatchObject({ requires_token: true });
    // The token route still works in this mode.
    await expect(client.issueToken('alice')).resolves.toMatchObject({ token: expect.any(String) });
  });
});

describe('mode 3: legacy session tokens (jwt_enabled: false)', () => {
  beforeEach(async () => {
    await client.updateApp({ jwt_enabled: false });
  });

  test('both routes issue opaque session tokens, accepted by lookup, deleted by revokeAllTokens', async () => {
    const viaPost = await client.issueToken('alice');
    const viaPut = await client.issueToken('alice', { compatibilityMode: true });
    for (const t of [viaPost, viaPut]) {
      expect(t.token.split('.')).toHaveLength(1);
      expect(Buffer.from(t.token, 'base64url').length).toBeGreaterThanOrEqual(16);
      expect(await connectWithToken(emulator, t.token, 'alice')).toMatchObject({ status: 200, auth: 'session' });
    }
    expect(viaPost.token).not.toBe(viaPut.token);
    expect(emulator.user('alice')).toMatchObject({ name: 'Alice', plan: 'pro' });
    await client.revokeAllTokens('alice');
    expect(await connectWithToken(emulator, viaPost.token, 'alice')).toEqual({ status: 401, code: 44 });
    expect(await connectWithToken(emulator, viaPut.token, 'alice')).toEqual({ status: 401, code: 44 });
  });
});

describe('a retried issue does not issue twice', () => {
  test('the response is lost (drop_after): the retry gets the same token, one write', async () => {
    emulator.faults.set({ routes: ['POST /v1/users/:id/token'], sequence: ['drop_after'] });
    const { token } = await client.issueToken('alice');
    expect(emulator.faults.stats().byAction).toEqual({ drop_after: 1 });
    expect(emulator.writes({ userId: 'alice', route: 'POST /v1/users/:id/token' })).toHaveLength(1);
    expect(await connectWithToken(emulator, token, 'alice')).toMatchObject({ status: 200 });
  });
});
