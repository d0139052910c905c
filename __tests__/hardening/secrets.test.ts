// Secret hygiene in one process (a secret never appears in a log, an error or an output): the app secret (as is, base64, base64url, hex), every
// token minted or issued in the run, their signatures and the API key never appear in an error
// (message, stack, util.inspect, JSON.stringify, causes), a logger record, the emulator's log,
// an answer's body, or the inspect/JSON views of the client, the emulator and the UserClient.
import { inspect } from 'node:util';
import { ServerClient, verifyUserToken } from 'tokenkit';
import { UserClient } from 'tokenkit/client';
import { type Emulator, type EmulatorLogRecord, startEmulator } from 'tokenkit/emulator';
import { leaksIn, recordingFetch, secretForms, send } from '../support/hardening';
import { hostileUserTokens } from './hostile-tokens';

const SECRET = 'hygiene-secret-Zx9q8w7e6r5t4y3u2i1o0p-!~';
const API_KEY = 'hygiene-key-7f3a9c';
let emu: Emulator;
let client: ServerClient;
const platformLog: EmulatorLogRecord[] = [];
const sdkLog: unknown[] = [];
/** Every token seen in the run: each is a secret. */
const tokens = new Set<string>();
/** Every text the run produced that a user or an operator could see. */
const seen: Array<{ where: string; text: string }> = [];

function collect(where: string, value: unknown, into = seen): void {
  if (value instanceof Error) {
    into.push({ where: `${where} (message)`, text: value.message });
    into.push({ where: `${where} (stack)`, text: value.stack ?? '' });
    into.push({ where: `${where} (inspect)`, text: inspect(value, { depth: 8, showHidden: true }) });
    into.push({ where: `${where} (JSON)`, text: JSON.stringify(value) ?? '' });
    into.push({ where: `${where} (String)`, text: String(value) });
    return;
  }
  into.push({ where: `${where} (inspect)`, text: inspect(value, { depth: 8, showHidden: true }) });
  into.push({ where: `${where} (JSON)`, text: JSON.stringify(value) ?? '' });
  into.push({ where: `${where} (String)`, text: String(value) });
}

async function failure(where: string, run: () => Promise<unknown> | unknown, into = seen): Promise<void> {
  try {
    await run();
  } catch (err) {
    collect(where, err, into);
    return;
  }
  throw new Error(`${where}: expected a failure`);
}

beforeAll(async () => {
  emu = await startEmulator({ apiSecret: SECRET, apiKey: API_KEY, logger: (r) => platformLog.push(r) });
  client = new ServerClient({ apiKey: API_KEY, apiSecret: SECRET, baseUrl: emu.url, logger: (r) => sdkLog.push(r), maxRetries: 1 });
});
afterAll(() => emu.close());

test('a run through every kind of failure leaks no secret, token or key anywhere', async () => {
  // Tokens of every kind, each remembered as a secret.
  const minted = client.generateUserToken({ user_id: 'alice', claims: { note: 'x' } });
  const legacy = client.createToken('alice', Math.floor(Date.now() / 1000) + 600);
  const dev = client.devToken('alice');
  await client.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
  const issued = await client.issueToken('alice');
  const rotated = await client.rotateUserToken('bob');
  const bulk = await client.bulk.issueTokens(['alice', 'bob', 'nobody!']);
  for (const t of [minted, legacy, dev, issued.token, rotated.token, emu.serverToken(), emu.userToken('carol'), ...bulk.done.map((d) => d.token)]) tokens.add(t);
  collect('bulk issue result failures', bulk.failed);

  // Admin failures: wrong secret (43), unknown user (404), bad input (400), through the SDK.
  const wrong = new ServerClient({ apiKey: API_KEY, apiSecret: `${SECRET}-wrong`, baseUrl: emu.url, maxRetries: 0 });
  await failure('wrong secret', () => wrong.getApp());
  await failure('unknown user', () => client.getUser('nobody'));
  await failure('unknown users in a partial update', () => client.updateUsersPartial({ users: [{ id: 'ghost', set: { a: 1 } }] }));
  await failure('compat issue refused', () => client.issueToken('alice', { compatibilityMode: true }));
  // Local failures where a secret or a token is the bad argument.
  await failure('token as a user id', () => client.getUser(minted));
  await failure('secret as a user id', () => client.generateUserToken({ user_id: SECRET }));
  await failure('token as createToken user', () => client.createToken(minted));
  await failure('token as a claim name', () => client.generateUserToken({ user_id: 'a', claims: { [minted]: 1, exp: 1 } }));
  await failure('bad client options with the secret', () => new ServerClient({ apiKey: API_KEY, apiSecret: SECRET, baseUrl: 'not a url' }));
  await failure('idempotency key that is a token', () => client.updateApp({ disable_auth_checks: false }, { idempotencyKey: `${minted} ` }));
  // Token checks: every hostile token, and the real ones refused for another user.
  for (const c of hostileUserTokens(SECRET, Date.now())) {
    tokens.add(c.token);
    await failure(`verify ${c.name}`, () => verifyUserToken(c.token, { secret: SECRET, userId: 'alice' }));
  }
  await failure('verify: another user', () => client.verifyUserToken(minted, { userId: 'bob' }));
  await failure('verify: revoked', () => client.verifyUserToken(minted, { revokedBefore: { user: new Date(Date.now() + 1000) } }));
  // Transport failures: unreachable, timed out (a delay fault), a connection dropped.
  const unreachable = new ServerClient({ apiKey: API_KEY, apiSecret: SECRET, baseUrl: 'http://127.0.0.1:1', maxRetries: 0 });
  await failure('unreachable', () => unreachable.getApp());
  emu.faults.set({ sequence: ['delay', 'delay'], delayMs: 500 });
  await failure('timeout', () => client.getApp({ timeoutMs: 50 }));
  emu.faults.set({ sequence: ['drop', 'drop'] });
  await failure('dropped', () => client.getApp());
  emu.faults.clear();

  // The UserClient: refused tokens, a provider that throws, a token that cannot be sent.
  const chat = new UserClient({ apiKey: API_KEY, baseUrl: emu.url });
  await failure('connect with another user token', () => chat.connectUser({ id: 'bob' }, minted));
  await failure('connect with a dev token', () => chat.connectUser({ id: 'alice' }, dev));
  await client.revokeUserTokens('alice');
  await failure('connect with a revoked token', () => chat.connectUser({ id: 'alice' }, minted));
  await failure('provider gives a revoked token twice', () => chat.connectUser({ id: 'alice' }, async () => minted));
  await failure('a token with a line break inside', () => chat.connectUser({ id: 'alice' }, `${minted.slice(0, 30)}\n${minted.slice(30)}`));
  await failure('a token with a NUL inside', () => new UserClient({ apiKey: API_KEY, baseUrl: emu.url, fetch: recordingFetch().fetch }).connectUser({ id: 'alice' }, `${minted}\u0000`));
  const ok = await chat.connectUser({ id: 'bob' }, rotated.token);
  collect('connect result', ok);
  collect('user client', chat);

  // Raw answers of the platform to hostile requests: bodies must not echo what was sent.
  for (const t of [minted, `${minted}x`, dev, emu.serverToken()]) {
    for (const [method, path] of [['POST', '/v1/connect'], ['GET', '/v1/app'], ['PATCH', '/v1/me']] as const) {
      const a = await send(emu, method, path, { token: t, body: method === 'GET' ? undefined : { user_id: 'zed' } });
      seen.push({ where: `answer ${method} ${path}`, text: JSON.stringify(a.body) });
    }
  }

  // The objects themselves.
  collect('client', client);
  collect('emulator', emu);
  collect('sdk log', sdkLog);
  collect('platform log', platformLog);
  expect(sdkLog.length).toBeGreaterThan(10);
  expect(platformLog.length).toBeGreaterThan(10);
  expect(seen.length).toBeGreaterThan(300);

  const needles = [
    ...secretForms(SECRET).map((value) => ({ name: 'the secret', value })),
    // Not the hostile tokens of a few characters ('..', three empty parts): they hold nothing to
    // leak, and match ordinary text (an inspected stack's "... 3 lines matching cause stack trace").
    ...[...tokens]
      .filter((t) => t.length >= 16)
      .flatMap((t) => [
        { name: 'a whole token', value: t },
        ...t
          .split('.')
          .slice(1)
          .filter((part) => part.length >= 20 && part !== 'devtoken')
          .map((value) => ({ name: 'a token part', value })),
      ]),
  ];
  // The check itself finds what it looks for (so a pass means something).
  expect(leaksIn(`x${minted}x`, needles)).toContain('a whole token');
  expect(leaksIn(`{"s":"${Buffer.from(SECRET).toString('base64')}"}`, needles)).toContain('the secret');
  expect(leaksIn(`sig=${minted.split('.')[2] ?? ''}`, needles)).toContain('a token part');
  // The API key is not a secret (client and emulator views show it), but errors and logs never carry it.
  const keyNeedle = [{ name: 'the API key', value: API_KEY }];
  const leaks = seen.flatMap((s) => {
    const found = leaksIn(s.text, needles);
    if (!/^(client|emulator|user client) /.test(s.where)) found.push(...leaksIn(s.text, keyNeedle));
    return found.map((what) => `${what} in ${s.where}`);
  });
  expect([...new Set(leaks)]).toEqual([]);
});

/** Runs `fn` with these secret variables set (and the other one unset), then puts the environment back. */
function withSecretEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const names = ['TOKENKIT_API_SECRET', 'TOKENKIT_API_SECRETS'];
  const saved = names.map((n) => process.env[n]);
  for (const n of names) delete process.env[n];
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    names.forEach((n, i) => {
      const v = saved[i];
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    });
  }
}

test('a secret rotation leaks no secret value: not the old one, not the added one, in no list, write log, error, log or view', async () => {
  const rotationLog: EmulatorLogRecord[] = [];
  const rotationSdkLog: unknown[] = [];
  const platform = await startEmulator({ apiSecret: SECRET, apiKey: API_KEY, logger: (r) => rotationLog.push(r) });
  const views: Array<{ where: string; text: string }> = [];
  const view = (where: string, value: unknown): void => collect(where, value, views);
  const refused = (where: string, run: () => Promise<unknown> | unknown): Promise<void> => failure(where, run, views);
  try {
    const oldKeyring = [{ kid: 'initial', secret: SECRET }];
    const admin = new ServerClient({ apiKey: API_KEY, apiSecret: oldKeyring, baseUrl: platform.url, logger: (r) => rotationSdkLog.push(r), maxRetries: 0 });
    const added = await admin.addSecret();
    const NEW = added.secret;
    const keyring = [{ kid: added.kid, secret: NEW }, ...oldKeyring];
    const rotated = new ServerClient({ apiKey: API_KEY, apiSecret: keyring, baseUrl: platform.url, logger: (r) => rotationSdkLog.push(r), maxRetries: 0 });
    view('added secret', added);
    view('list after add', await admin.listSecrets());
    view('promote answer', await rotated.promoteSecret(added.kid));
    const oldToken = admin.generateUserToken({ user_id: 'alice' });
    view('retire answer', await rotated.retireSecret('initial'));

    // Refusals: the retired secret on an admin route and in a user token, locally and on the
    // platform; a kid no keyring holds; bad keyrings holding real secrets; the primary refused.
    await refused('admin call with the retired secret', () => admin.getApp());
    await refused('connect with a retired secret token', () => new UserClient({ apiKey: API_KEY, baseUrl: platform.url }).connectUser({ id: 'alice' }, oldToken));
    await refused('verify: kid unknown to the keyring', () => verifyUserToken(rotated.generateUserToken({ user_id: 'a' }), { secret: oldKeyring }));
    await refused('verify: wrong secret for the kid', () => verifyUserToken(oldToken, { secret: [{ kid: 'initial', secret: NEW }] }));
    await refused('retire the primary', () => rotated.retireSecret(added.kid));
    await refused('promote a retired secret', () => rotated.promoteSecret('initial'));
    await refused('keyring: duplicate kid', () => new ServerClient({ apiKey: API_KEY, apiSecret: [{ kid: 'a', secret: NEW }, { kid: 'a', secret: SECRET }] }));
    await refused('keyring: secret as a kid', () => new ServerClient({ apiKey: API_KEY, apiSecret: [{ kid: SECRET, secret: NEW }] }));
    await refused('keyring: unknown field', () => new ServerClient({ apiKey: API_KEY, apiSecret: [{ kid: 'a', secret: NEW, extra: SECRET } as never] }));
    await refused('keyring: too many', () => new ServerClient({ apiKey: API_KEY, apiSecret: ['a', 'b', 'c', 'd'].map((kid) => ({ kid, secret: NEW })) }));
    await refused('verify: bad keyring', () => verifyUserToken(oldToken, { secret: [{ kid: 'bad kid', secret: NEW }] }));
    await refused('kid argument that is a secret', () => rotated.promoteSecret(NEW));
    // A keyring from the environment (TOKENKIT_API_SECRETS) that is not one, holding real secrets:
    // the errors name the variable and the entry, never a value.
    const envCases: Array<[string, Record<string, string>]> = [
      ['env keyring: not JSON (the secret alone)', { TOKENKIT_API_SECRETS: NEW }],
      ['env keyring: cut-off JSON', { TOKENKIT_API_SECRETS: JSON.stringify(keyring).slice(0, -3) }],
      ['env keyring: a JSON string', { TOKENKIT_API_SECRETS: JSON.stringify(NEW) }],
      ['env keyring: an object, not a list', { TOKENKIT_API_SECRETS: JSON.stringify({ kid: 'a', secret: NEW }) }],
      ['env keyring: a secret as a kid, twice', { TOKENKIT_API_SECRETS: JSON.stringify([{ kid: NEW, secret: SECRET }, { kid: NEW, secret: SECRET }]) }],
      ['env keyring: a secret as a kid', { TOKENKIT_API_SECRETS: JSON.stringify([{ kid: SECRET, secret: NEW }]) }],
      ['env keyring: a number as a secret', { TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'a', secret: NEW }, { kid: 'b', secret: 7 }]) }],
      ['env keyring: an unknown field', { TOKENKIT_API_SECRETS: JSON.stringify([{ kid: 'a', secret: NEW, note: SECRET }]) }],
      ['env keyring: too many', { TOKENKIT_API_SECRETS: JSON.stringify(['a', 'b', 'c', 'd'].map((kid) => ({ kid, secret: NEW }))) }],
      ['env: both variables', { TOKENKIT_API_SECRET: SECRET, TOKENKIT_API_SECRETS: JSON.stringify(keyring) }],
    ];
    for (const [where, vars] of envCases) await refused(where, () => withSecretEnv(vars, () => new ServerClient({ apiKey: API_KEY })));

    view('rotated client', rotated);
    view('admin client', admin);
    view('emulator', platform);
    view('emulator secrets', platform.secrets());
    view('write log', platform.writes());
    view('sdk log', rotationSdkLog);
    view('platform log', rotationLog);
    expect(rotationSdkLog.length).toBeGreaterThan(4);
    expect(views.length).toBeGreaterThan(15);

    const needles = [...secretForms(SECRET).map((value) => ({ name: 'the old secret', value })), ...secretForms(NEW).map((value) => ({ name: 'the added secret', value }))];
    // The check finds what it looks for (so a pass means something).
    expect(leaksIn(`x${NEW}x`, needles)).toContain('the added secret');
    const leaks = views.flatMap((v) => leaksIn(v.text, needles).map((what) => `${what} in ${v.where}`));
    expect([...new Set(leaks)]).toEqual([]);
  } finally {
    await platform.close();
  }
});
