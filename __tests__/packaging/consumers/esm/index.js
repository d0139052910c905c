// An ESM consumer ("type": "module") of the installed tarball, with no optional peer installed.
// It prints one line per check; the packaging test reads them.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApiError, ArgumentError, ServerClient, TokenError, TokenkitError, verifyUserToken } from 'tokenkit';
import { startEmulator } from 'tokenkit/emulator';
import { UserClient } from 'tokenkit/client';

const require = createRequire(import.meta.url);
const secret = 'esm-consumer-secret-0123456789abcdef';

// Mint and verify locally, no network.
const local = new ServerClient({ apiKey: 'key', apiSecret: secret });
const token = local.generateUserToken({ user_id: 'alice', validity_in_seconds: 600 });
const claims = await verifyUserToken(token, { secret });
assert.equal(claims.user_id, 'alice');
console.log('mint+verify: ok');

// One copy of each class: `import` and `require` of every entry give the same objects, so an
// error thrown through one is an instance of the class reached through the other.
const cjs = require('tokenkit');
assert.equal(cjs.ServerClient, ServerClient);
assert.equal(cjs.ArgumentError, ArgumentError);
assert.equal(require('tokenkit/client').ApiError, ApiError);
assert.equal(require('tokenkit/emulator').startEmulator, startEmulator);
let refused;
try {
  local.generateUserToken({ user_id: 'not a valid id!' });
} catch (err) {
  refused = err;
}
assert.ok(refused instanceof cjs.ArgumentError, 'import-side error is instanceof the require-side class');
assert.ok(refused instanceof cjs.TokenkitError);
assert.ok(new cjs.TokenError(44, 'revoked') instanceof TokenError, 'require-side error is instanceof the import-side class');
assert.ok(new cjs.TokenError(44, 'revoked') instanceof TokenkitError);
console.log('one copy of each class: ok');

// Only the listed entry points are reachable.
await assert.rejects(import('tokenkit/dist/errors.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
assert.equal(require('tokenkit/package.json').name, 'tokenkit');
// tokenkit/nest needs its optional peer, which plain users do not install: importing tokenkit
// above did not load it, and importing tokenkit/nest says what is missing.
await assert.rejects(import('tokenkit/nest'), (err) => /@nestjs\/common/.test(String(err)));
console.log('exports: ok');

// The emulator, and a user connecting with a token that a ServerClient minted.
const emulator = await startEmulator();
try {
  const server = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
  const chat = new UserClient({ apiKey: emulator.apiKey, baseUrl: emulator.url });
  const connected = await chat.connectUser({ id: 'alice' }, server.generateUserToken({ user_id: 'alice' }));
  assert.equal(connected.auth, 'jwt');
  assert.equal((await server.getUser('alice')).id, 'alice');
  await chat.disconnectUser();
} finally {
  await emulator.close();
}
console.log('emulator: ok');

// The dashboard ships in the package: its page and bundle are served, with no build step.
const withDashboard = await startEmulator({ dashboard: true });
try {
  const html = await (await fetch(withDashboard.dashboardUrl)).text();
  assert.match(html, /<meta name="tokenkit-dashboard-token" content="[\w-]+">/);
  const js = await fetch(new URL('app.js', withDashboard.dashboardUrl));
  assert.equal(js.status, 200);
  assert.ok((await js.text()).includes('preact'));
} finally {
  await withDashboard.close();
}
console.log('dashboard: ok');
