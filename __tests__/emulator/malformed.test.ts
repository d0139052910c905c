// Malformed requests to every route: each gets the right status and code (400/413 code 4, 404
// code 16, 405 code 4 with Allow), the message names the field, and the emulator keeps serving.
import { type Emulator, MAX_BODY_BYTES, startEmulator } from 'tokenkit/emulator';
import { PassThrough } from 'node:stream';
import { answerClientError } from '../../src/emulator/server';
import { type Call, call, createUsers, expectError, rawRequest } from '../support/emulator';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
  await createUsers(emu, { id: 'alice' });
});
afterAll(() => emu.close());

// Admin routes are authenticated before validation; client routes validate with the Api-Key only.
const BODY_ROUTES: Array<[string, string, Call['as']]> = [
  ['PATCH', '/v1/app', 'admin'],
  ['POST', '/v1/users', 'admin'],
  ['PATCH', '/v1/users', 'admin'],
  ['PUT', '/v1/users/alice', 'admin'],
  ['POST', '/v1/users/alice/token', 'admin'],
  ['POST', '/v1/connect', 'key'],
  ['POST', '/v1/guest', 'key'],
  ['PATCH', '/v1/me', 'key'],
];

type Row = [label: string, method: string, path: string, c: Call, message: RegExp];
const long = 'x'.repeat(129);
const INVALID_BODIES: Row[] = [
  // PATCH /v1/app
  ['app: wrong type', 'PATCH', '/v1/app', { body: { disable_auth_checks: 'yes' } }, /disable_auth_checks: /],
  ['app: not an enum value', 'PATCH', '/v1/app', { body: { access_token_permission: 'open' } }, /access_token_permission: expected one of/],
  ['app: not a date', 'PATCH', '/v1/app', { body: { revoke_tokens_issued_before: 'yesterday' } }, /revoke_tokens_issued_before: expected an RFC 3339/],
  ['app: unknown field', 'PATCH', '/v1/app', { body: { colour: 'red' } }, /colour: unknown field/],
  ['app: nothing to change', 'PATCH', '/v1/app', { body: {} }, /give at least one setting/],
  ['app: an array', 'PATCH', '/v1/app', { body: [] }, /expected object/],
  // POST /v1/users
  ['upsert: users missing', 'POST', '/v1/users', { body: {} }, /users: expected an array of users/],
  ['upsert: users not an array', 'POST', '/v1/users', { body: { users: { id: 'a' } } }, /users: expected an array/],
  ['upsert: empty', 'POST', '/v1/users', { body: { users: [] } }, /users: must hold at least one user/],
  ['upsert: id missing', 'POST', '/v1/users', { body: { users: [{ name: 'A' }] } }, /users\.0\.id: expected a string user id/],
  ['upsert: id a number', 'POST', '/v1/users', { body: { users: [{ id: 7 }] } }, /users\.0\.id: expected a string user id/],
  ['upsert: bad id', 'POST', '/v1/users', { body: { users: [{ id: 'a b' }] } }, /users\.0\.id: may only hold/],
  ['upsert: id too long', 'POST', '/v1/users', { body: { users: [{ id: long }] } }, /users\.0\.id: must be at most 128/],
  ['upsert: name not a string', 'POST', '/v1/users', { body: { users: [{ id: 'a', name: 1 }] } }, /users\.0\.name: expected a string/],
  ['upsert: bad role', 'POST', '/v1/users', { body: { users: [{ id: 'a', role: 'root' }] } }, /users\.0\.role: expected one of/],
  ['upsert: unknown top-level field', 'POST', '/v1/users', { body: { users: [{ id: 'a' }], dry_run: true } }, /dry_run: unknown field/],
  ['upsert: 101 users', 'POST', '/v1/users', { body: { users: Array.from({ length: 101 }, (_, i) => ({ id: `u${i}` })) } }, /at most 100/],
  // PATCH /v1/users
  ['partial: set not an object', 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: 'x' }] } }, /users\.0\.set: /],
  ['partial: unset not an array', 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', unset: 'name' }] } }, /users\.0\.unset: expected an array/],
  ['partial: unknown entry field', 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: {}, merge: true }] } }, /users\.0\.merge: unknown field/],
  ['partial: set created_at', 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { created_at: 'x' } }] } }, /users\.0\.set\.created_at/],
  ['partial: bad cutoff', 'PATCH', '/v1/users', { body: { users: [{ id: 'alice', set: { revoke_tokens_issued_before: 5 } }] } }, /users\.0\.set\.revoke_tokens_issued_before/],
  // PUT /v1/users/{id}
  ['put: issue_session_token false', 'PUT', '/v1/users/alice', { body: { issue_session_token: false } }, /issue_session_token: expected true/],
  ['put: expiry without issuance', 'PUT', '/v1/users/alice', { body: { session_token_expires_at: 4e12 } }, /session_token_expires_at: only goes with/],
  ['put: expiry not a number', 'PUT', '/v1/users/alice', { body: { issue_session_token: true, session_token_expires_at: 'soon' } }, /session_token_expires_at: expected milliseconds/],
  ['put: requires_token', 'PUT', '/v1/users/alice', { body: { requires_token: false } }, /requires_token: may not be written/],
  // POST /v1/users/{id}/token
  ['token: expires_at a string', 'POST', '/v1/users/alice/token', { body: { expires_at: '2030-01-01' } }, /expires_at: expected milliseconds/],
  ['token: expires_at negative', 'POST', '/v1/users/alice/token', { body: { expires_at: -5 } }, /expires_at: expected milliseconds since the epoch \(a positive/],
  ['token: expires_at fractional', 'POST', '/v1/users/alice/token', { body: { expires_at: 4e12 + 0.5 } }, /expires_at: expected whole milliseconds/],
  ['token: unknown field', 'POST', '/v1/users/alice/token', { body: { ttl: 60 } }, /ttl: unknown field/],
  // POST /v1/connect (client)
  ['connect: user_id a number', 'POST', '/v1/connect', { body: { user_id: 5 }, as: 'key' }, /user_id: expected a string user id/],
  ['connect: bad user_id', 'POST', '/v1/connect', { body: { user_id: 'a/b' }, as: 'key' }, /user_id: may only hold/],
  ['connect: unknown field', 'POST', '/v1/connect', { body: { user: 'a' }, as: 'key' }, /user: unknown field/],
  ['connect: anonymous false', 'POST', '/v1/connect', { body: { anonymous: false }, as: 'key' }, /anonymous: unknown field/],
  ['connect: anonymous and user_id', 'POST', '/v1/connect', { body: { anonymous: true, user_id: 'a' }, as: 'key' }, /unknown field/],
  // POST /v1/guest (client)
  ['guest: user missing', 'POST', '/v1/guest', { body: {}, as: 'key' }, /user: /],
  ['guest: bad id', 'POST', '/v1/guest', { body: { user: { id: '' } }, as: 'key' }, /user\.id: must not be empty/],
  ['guest: role given', 'POST', '/v1/guest', { body: { user: { id: 'g', role: 'admin' } }, as: 'key' }, /user\.role: unknown field/],
  // PATCH /v1/me (client)
  ['me: nothing', 'PATCH', '/v1/me', { body: {}, as: 'key' }, /give set, unset or both/],
  ['me: set id', 'PATCH', '/v1/me', { body: { set: { id: 'bob' } }, as: 'key' }, /set\.id: a user may not write/],
  ['me: unset requires_token', 'PATCH', '/v1/me', { body: { unset: ['requires_token'] }, as: 'key' }, /unset\.0: "requires_token" may not be unset/],
  ['me: name not a string', 'PATCH', '/v1/me', { body: { set: { name: [] } }, as: 'key' }, /set\.name: /],
];

test.each(INVALID_BODIES)('%s: 400, code 4, naming the field', async (_label, method, path, c, message) => {
  expectError(await call(emu, method, path, c), 400, 4, message);
});

const BAD_IDS: Array<[string, string]> = [
  ['a space', 'a%20b'],
  ['a slash', 'a%2Fb'],
  ['129 characters', long],
  ['bad percent-encoding', '%E0%A4%A'],
  ['unicode', encodeURIComponent('ålice')],
];
const ID_ROUTES: Array<[string, string, Call]> = [
  ['GET', '', {}],
  ['GET', '', { as: 'key' }],
  ['PUT', '', { body: {} }],
  ['POST', '/token', { body: {} }],
  ['DELETE', '/token', {}],
];
test.each(BAD_IDS.flatMap(([label, id]) => ID_ROUTES.map(([m, suffix, c]) => [label, m, `/v1/users/${id}${suffix}`, c] as const)))(
  'an id with %s: %s %s is 400, code 4',
  async (_label, method, path, c) => {
    expectError(await call(emu, method, path, c), 400, 4, /id/);
  },
);

test.each(BODY_ROUTES)('%s %s: malformed JSON is 400, code 4', async (method, path, as) => {
  expectError(await call(emu, method, path, { raw: '{"users": [', headers: { 'Content-Type': 'application/json' }, as }), 400, 4, /not valid JSON/);
});

test.each(BODY_ROUTES)('%s %s: a non-JSON content type is 400, code 4', async (method, path, as) => {
  expectError(await call(emu, method, path, { raw: 'users=alice', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, as }), 400, 4, /Content-Type/);
});

const huge = () => JSON.stringify({ users: [{ id: 'a', pad: 'x'.repeat(MAX_BODY_BYTES) }] });

test.each(BODY_ROUTES)('%s %s: a body over 1 MiB is 413, code 4', async (method, path, as) => {
  expectError(await call(emu, method, path, { raw: huge(), headers: { 'Content-Type': 'application/json' }, as }), 413, 4, /too large/);
});

test('a body over 1 MiB sent without Content-Length (chunked) is 413, code 4', async () => {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent > MAX_BODY_BYTES + chunk.length) controller.close();
      else {
        sent += chunk.length;
        controller.enqueue(chunk);
      }
    },
  });
  const res = await fetch(`${emu.url}/v1/users`, {
    method: 'POST',
    headers: { 'Api-Key': emu.apiKey, Authorization: `Bearer ${emu.serverToken()}`, 'Content-Type': 'application/json' },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ code: 4, status_code: 413 });
});

test('a body of exactly 1 MiB is read (and then judged by its content)', async () => {
  const base = JSON.stringify({ users: [{ id: 'big', pad: '' }] });
  const body = JSON.stringify({ users: [{ id: 'big', pad: 'x'.repeat(MAX_BODY_BYTES - base.length) }] });
  expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
  const a = await call(emu, 'POST', '/v1/users', { raw: body, headers: { 'Content-Type': 'application/json' } });
  expect(a.status).toBe(200);
});

test.each([
  ['GET', '/v1/app', {}],
  ['GET', '/v1/users/alice', {}],
  ['DELETE', '/v1/users/alice/token', {}],
])('%s %s with a body is 400, code 4', async (method, path) => {
  const headers = { 'Api-Key': emu.apiKey, Authorization: `Bearer ${emu.serverToken()}`, 'Content-Type': 'application/json' };
  expectError(await rawRequest(emu, method, path, headers, '{}'), 400, 4, /takes no request body/);
});

test.each([
  ['DELETE', '/v1/app', 'GET, PATCH'],
  ['DELETE', '/v1/users', 'POST, GET, PATCH'],
  ['POST', '/v1/users/alice', 'GET, PUT'],
  ['GET', '/v1/users/alice/token', 'POST, DELETE'],
  ['GET', '/v1/connect', 'POST'],
  ['PUT', '/v1/guest', 'POST'],
  ['GET', '/v1/me', 'PATCH'],
  ['OPTIONS', '/v1/app', 'GET, PATCH'],
])('%s %s is 405, code 4, with Allow: %s', async (method, path, allow) => {
  const a = await call(emu, method, path);
  expectError(a, 405, 4, /not allowed/);
  expect(a.headers.get('allow')).toBe(allow);
});

test.each(['/v1', '/v1/users/', '/v1/users/alice/tokens', '/v2/app', '/', '/v1/users/alice/token/x'])('an unknown route %s is 404, code 16', async (path) => {
  expectError(await call(emu, 'GET', path), 404, 16);
});

test.each([
  ['ERR_HTTP_REQUEST_TIMEOUT', 408, /did not arrive in time/],
  ['HPE_HEADER_OVERFLOW', 431, /headers too large/],
  ['HPE_INVALID_METHOD', 400, /malformed HTTP request/],
])("a request Node's parser refuses (%s) is answered %i in the error shape, with an X-Request-Id", (code, status, message) => {
  const socket = new PassThrough();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  answerClientError(Object.assign(new Error('refused by the parser'), { code }), socket);
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
  expect(head).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
  const parsed = JSON.parse(body) as Record<string, unknown>;
  expect({ code: parsed['code'], status_code: parsed['status_code'] }).toEqual({ code: 4, status_code: status });
  expect(parsed['message']).toMatch(message);
});

test('the emulator keeps serving after all of the above, with nothing applied by refused requests', async () => {
  expect((await call(emu, 'GET', '/v1/app')).status).toBe(200);
  expect((await call(emu, 'POST', '/v1/connect', { body: { user_id: 'after' }, as: 'key' })).status).toBe(200);
  expect(emu.user('alice')).toMatchObject({ requires_token: false, role: 'user' });
  expect(emu.writes().map((w) => w.userId)).toEqual(['alice', 'big', 'after']);
});
