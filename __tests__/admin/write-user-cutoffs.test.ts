// writeUserCutoffs (the CLI's batch revoke and restore) sends what revokeUserTokens and
// restoreUserTokens send, byte for byte (a run resumed by another version replays under the same
// key), reads only the cutoffs of the answers, and refuses bad input with the same errors.
import { ServerClient } from 'tokenkit';
import type { Emulator } from 'tokenkit/emulator';
import { writeUserCutoffs } from '../../src/admin/users';
import { clientInternals } from '../../src/server-client';
import { setup } from '../support/admin';

let emulator: Emulator;
const bodies: string[] = [];
let client: ServerClient;

beforeAll(async () => {
  ({ emulator } = await setup());
  client = new ServerClient({
    apiKey: emulator.apiKey,
    apiSecret: emulator.apiSecret,
    baseUrl: emulator.url,
    fetch: async (input, init) => {
      if (init?.method === 'PATCH') bodies.push(String(init.body));
      return fetch(input, init as RequestInit);
    },
  });
  await client.upsertUsers(Array.from({ length: 120 }, (_, i) => ({ id: `u${i}` })));
});
afterAll(() => emulator.close());
beforeEach(() => {
  bodies.length = 0;
});

const ids = Array.from({ length: 120 }, (_, i) => `u${i}`).slice(0, 100);

test('a revocation: the same bytes as revokeUserTokens, so that the platform replays it under the same key', async () => {
  const cutoff = new Date(Date.now() - 1000);
  await client.revokeUserTokens(ids, cutoff, { idempotencyKey: 'batch-1' });
  const { http, clock } = clientInternals(client);
  await writeUserCutoffs(http, clock, { ids, cutoff, options: { idempotencyKey: 'batch-1' }, what: 'revokeUserTokens' });
  expect(bodies).toHaveLength(2);
  expect(bodies[1]).toBe(bodies[0]);
  const user = await client.getUser('u7');
  expect(user.revoke_tokens_issued_before?.getTime()).toBe(cutoff.getTime());
});

test('ids the caller has checked (checked: true, the CLI\'s own batches): the same bytes, revoke and restore', async () => {
  const cutoff = new Date(Date.now() - 2000);
  const { http, clock } = clientInternals(client);
  await client.revokeUserTokens(ids, cutoff, { idempotencyKey: 'batch-3' });
  await writeUserCutoffs(http, clock, { ids, cutoff, options: { idempotencyKey: 'batch-3' }, what: 'revokeUserTokens', checked: true });
  await client.restoreUserTokens(ids, { idempotencyKey: 'batch-4' });
  await writeUserCutoffs(http, clock, { ids, cutoff: null, options: { idempotencyKey: 'batch-4' }, what: 'restoreUserTokens', checked: true });
  expect(bodies).toHaveLength(4);
  expect(bodies[1]).toBe(bodies[0]);
  expect(bodies[3]).toBe(bodies[2]);
  // The cutoff is still checked (and raised by the client's rule) where the ids are not.
  await expect(writeUserCutoffs(http, clock, { ids, cutoff: new Date(Number.NaN), what: 'revokeUserTokens', checked: true })).rejects.toThrow(
    expect.objectContaining({ name: 'ArgumentError' }),
  );
  expect(bodies).toHaveLength(4);
});

test('a restore: the same bytes as restoreUserTokens, and the users have no cutoff', async () => {
  await client.restoreUserTokens(ids, { idempotencyKey: 'batch-2' });
  const { http, clock } = clientInternals(client);
  await writeUserCutoffs(http, clock, { ids, cutoff: null, options: { idempotencyKey: 'batch-2' }, what: 'restoreUserTokens' });
  expect(bodies[1]).toBe(bodies[0]);
  expect((await client.getUser('u7')).revoke_tokens_issued_before).toBeNull();
});

test('bad input is refused before any request, naming the method', async () => {
  const { http, clock } = clientInternals(client);
  await expect(writeUserCutoffs(http, clock, { ids: ['u1'], cutoff: new Date(), options: { idempotencyKey: 'has space' }, what: 'revokeUserTokens' })).rejects.toThrow(
    expect.objectContaining({ name: 'ArgumentError', message: expect.stringContaining('revokeUserTokens options') }),
  );
  await expect(writeUserCutoffs(http, clock, { ids: ids.concat(['u100']), cutoff: new Date(), options: { idempotencyKey: 'k' }, what: 'revokeUserTokens' })).rejects.toThrow(/idempotencyKey names one request/);
  expect(bodies).toHaveLength(0);
});

test('a list the direct path does not take (a repeated id, an invalid one) is refused by the schema, naming the entry, before any request', async () => {
  const { http, clock } = clientInternals(client);
  const refused = (ids: string[]) => writeUserCutoffs(http, clock, { ids, cutoff: new Date(), what: 'revokeUserTokens' });
  await expect(refused(['u1', 'u2', 'u1'])).rejects.toThrow(expect.objectContaining({ name: 'ArgumentError', message: expect.stringMatching(/^Invalid revokeUserTokens input:\n {2}- users\.2\.id: /) }));
  await expect(refused(['u1', 'not valid'])).rejects.toThrow(expect.objectContaining({ name: 'ArgumentError', message: expect.stringMatching(/^Invalid revokeUserTokens input:\n {2}- users\.1\.id: may only hold/) }));
  expect(bodies).toHaveLength(0);
});
