// A CommonJS consumer ("type": "commonjs") of the installed tarball, with the NestJS peers installed.
// It prints one line per check; the packaging test reads them.
'use strict';
require('reflect-metadata');
const assert = require('node:assert/strict');
const { ArgumentError, ServerClient, TokenkitError, verifyUserToken } = require('tokenkit');
const { startEmulator } = require('tokenkit/emulator');
const { UserClient } = require('tokenkit/client');
const { TokenkitModule } = require('tokenkit/nest');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

async function main() {
  const secret = 'cjs-consumer-secret-0123456789abcdef';
  const local = new ServerClient({ apiKey: 'key', apiSecret: secret });
  const token = local.generateUserToken({ user_id: 'bob' });
  assert.equal((await verifyUserToken(token, { secret })).user_id, 'bob');
  console.log('mint+verify: ok');

  // `import()` from CommonJS reaches the same module instance as `require`.
  const esm = await import('tokenkit');
  assert.equal(esm.ArgumentError, ArgumentError);
  assert.equal(esm.default.ArgumentError, ArgumentError);
  const refused = await local.verifyUserToken('not.a.token').catch((err) => err);
  assert.ok(refused instanceof esm.TokenkitError && refused instanceof TokenkitError);
  console.log('one copy of each class: ok');

  // tokenkit/nest: a Nest application context that provides a ServerClient from configuration.
  class AppModule {}
  Module({ imports: [TokenkitModule.forRoot({ apiKey: 'key', apiSecret: secret })] })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  try {
    const fromNest = app.get(ServerClient);
    assert.ok(fromNest instanceof ServerClient);
    assert.equal((await verifyUserToken(fromNest.generateUserToken({ user_id: 'carol' }), { secret })).user_id, 'carol');
  } finally {
    await app.close();
  }
  console.log('nest: ok');

  const emulator = await startEmulator();
  try {
    const server = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
    const chat = new UserClient({ apiKey: emulator.apiKey, baseUrl: emulator.url });
    await chat.connectUser({ id: 'bob' }, server.generateUserToken({ user_id: 'bob' }));
    assert.equal(chat.userId, 'bob');
    await chat.disconnectUser();
  } finally {
    await emulator.close();
  }
  console.log('emulator: ok');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
