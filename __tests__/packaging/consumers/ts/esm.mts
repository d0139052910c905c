// A TypeScript ESM consumer of the installed tarball: type-checked strictly (lib check on), then
// compiled and run. The `@ts-expect-error` lines fail the build if the types were `any`.
import assert from 'node:assert/strict';
import { ServerClient, TokenError, type TokenErrorCode, type UserTokenClaims, verifyUserToken } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { UserClient, type UserClientOptions } from 'tokenkit/client';

const secret = 'ts-esm-consumer-secret-0123456789abcdef';
const client = new ServerClient({ apiKey: 'key', apiSecret: secret });
const token: string = client.generateUserToken({ user_id: 'dana', validity_in_seconds: 60 });
const claims: UserTokenClaims = await verifyUserToken(token, { secret });
assert.equal(claims.user_id, 'dana');

const refused: unknown = await verifyUserToken(token, { secret: 'another-secret-0123456789abcdef' }).catch((err: unknown) => err);
if (!(refused instanceof TokenError)) throw new Error('expected a TokenError');
const code: TokenErrorCode = refused.code;
assert.equal(code, 43);

export function typesAreReal(): void {
  // @ts-expect-error user_id is required
  client.generateUserToken({ validity_in_seconds: 60 });
  // @ts-expect-error a UserClient has no secret
  const options: UserClientOptions = { apiKey: 'key', baseUrl: 'http://127.0.0.1:1', apiSecret: secret };
  void options;
}

const emulator: Emulator = await startEmulator();
try {
  const server = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
  await server.upsertUsers([{ id: 'dana', name: 'Dana' }]);
  const issued = await server.issueToken('dana');
  assert.ok(issued.expiresAt instanceof Date);
  const chat = new UserClient({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  await chat.connectUser({ id: 'dana' }, issued.token);
  await chat.disconnectUser();
} finally {
  await emulator.close();
}
console.log('ts esm: ok');
