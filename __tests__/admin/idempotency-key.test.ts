import { ApiError, type ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { nextMillisecond, useAdminEmulator } from '../support/admin';
import { serverClientFor } from '../support/clients';

// A call repeated with the key it was given is the same request to the platform: the emulator
// replays the first answer and applies nothing again (its audit log shows one write). This is
// what the CLI's resumed runs rely on.

let emulator: Emulator;
let client: ServerClient;

useAdminEmulator(
  [
    { id: 'alice', name: 'Alice', plan: 'pro' },
    { id: 'bob', name: 'Bob' },
  ],
  (e, c) => {
    emulator = e;
    client = c;
  },
  { resetEachTest: true },
);

test('issueToken twice with one key: the same token, issued once', async () => {
  const first = await client.issueToken('alice', { idempotencyKey: 'issue/alice/1' });
  nextMillisecond();
  const again = await client.issueToken('alice', { idempotencyKey: 'issue/alice/1' });
  expect(again).toEqual(first);
  expect(emulator.writes({ userId: 'alice', route: 'POST /v1/users/:id/token' })).toHaveLength(1);
  const other = await client.issueToken('alice', { idempotencyKey: 'issue/alice/2' });
  expect(other.token).not.toBe(first.token);
});

test('issueToken in compatibility mode twice with one key: the same token, one PUT, the profile kept', async () => {
  await client.updateApp({ jwt_compatibility_mode: true });
  const compat = serverClientFor(emulator, { compatibilityMode: true });
  const first = await compat.issueToken('alice', { idempotencyKey: 'compat/alice' });
  nextMillisecond();
  const again = await compat.issueToken('alice', { idempotencyKey: 'compat/alice' });
  expect(again).toEqual(first);
  expect(emulator.writes({ userId: 'alice', route: 'PUT /v1/users/:id' })).toHaveLength(1);
  expect(await client.getUser('alice')).toMatchObject({ name: 'Alice', plan: 'pro', requires_token: true });
});

test('revokeAllTokens twice with one key: the first cutoff, not a later one', async () => {
  const first = await client.revokeAllTokens('alice', { idempotencyKey: 'delete/alice' });
  nextMillisecond(first.revokeTokensIssuedBefore.getTime());
  const again = await client.revokeAllTokens('alice', { idempotencyKey: 'delete/alice' });
  expect(again).toEqual(first);
  expect(emulator.writes({ userId: 'alice', route: 'DELETE /v1/users/:id/token' })).toHaveLength(1);
});

test('revokeUserTokens and restoreUserTokens with a key: applied once; the key with another cutoff is refused', async () => {
  const before = new Date('2026-01-01T00:00:00.000Z');
  const first = await client.revokeUserTokens(['alice', 'bob'], before, { idempotencyKey: 'revoke/1' });
  await client.revokeUserTokens(['alice', 'bob'], before, { idempotencyKey: 'revoke/1' });
  expect(first.revokeTokensIssuedBefore).toEqual(before);
  expect(emulator.writes({ route: 'PATCH /v1/users', field: 'revoke_tokens_issued_before' })).toHaveLength(2); // alice and bob, once each
  const err = await client.revokeUserTokens(['alice', 'bob'], new Date('2026-02-01T00:00:00.000Z'), { idempotencyKey: 'revoke/1' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ status: 400, code: 4 });
  expect((await client.getUser('alice')).revoke_tokens_issued_before).toEqual(before);
  await client.restoreUserTokens(['alice', 'bob'], { idempotencyKey: 'restore/1' });
  await client.restoreUserTokens(['alice', 'bob'], { idempotencyKey: 'restore/1' });
  expect(emulator.writes({ route: 'PATCH /v1/users', field: 'revoke_tokens_issued_before' })).toHaveLength(4);
  expect((await client.getUser('bob')).revoke_tokens_issued_before).toBeNull();
});
