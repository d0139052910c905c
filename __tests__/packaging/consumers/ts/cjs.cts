// A TypeScript CommonJS consumer of the installed tarball (compiled to `require`), run after the build.
import assert = require('node:assert/strict');
import tokenkit = require('tokenkit');
import emulatorEntry = require('tokenkit/emulator');

async function main(): Promise<void> {
  const secret = 'ts-cjs-consumer-secret-0123456789abcdef';
  const client = new tokenkit.ServerClient({ apiKey: 'key', apiSecret: secret });
  const claims: tokenkit.UserTokenClaims = await tokenkit.verifyUserToken(client.generateUserToken({ user_id: 'erin' }), { secret });
  assert.equal(claims.user_id, 'erin');
  const emulator: emulatorEntry.Emulator = await emulatorEntry.startEmulator();
  try {
    const server = new tokenkit.ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
    const user: tokenkit.User = await server.getUser('erin').catch(async (err: unknown) => {
      // An unknown user is 404, code 16: create it, then read it.
      if (err instanceof tokenkit.ApiError && err.code === 16) {
        await server.upsertUsers([{ id: 'erin' }]);
        return server.getUser('erin');
      }
      throw err;
    });
    assert.equal(user.id, 'erin');
  } finally {
    await emulator.close();
  }
  console.log('ts cjs: ok');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
