// The three permission modes (access_token_permission), guests and anonymous users, through
// UserClient against the emulator (docs/platform-api.md, "Client routes and connections").
import type { AccessTokenPermission } from 'tokenkit';
import { type Platform, apiError, startPlatform } from '../support/platform';

const platforms = new Map<AccessTokenPermission, Platform>();
const modes: AccessTokenPermission[] = ['read_write', 'read_only', 'deny_login'];

beforeAll(async () => {
  for (const mode of modes) {
    const p = await startPlatform({ app: { access_token_permission: mode } });
    await p.server.upsertUsers([{ id: 'existing', name: 'Existing' }, { id: 'member', name: 'Member' }]);
    platforms.set(mode, p);
  }
});
afterAll(async () => {
  for (const p of platforms.values()) await p.close();
});

const at = (mode: AccessTokenPermission): Platform => {
  const p = platforms.get(mode);
  if (!p) throw new Error(`no platform for ${mode}`);
  return p;
};

describe('with a token: allowed in every mode, reads and writes its own record', () => {
  test.each(modes)('%s', async (mode) => {
    const p = at(mode);
    const chat = p.chat();
    const id = `token-user-${mode.replace('_', '-')}`;
    const connected = await chat.connectUser({ id }, p.server.generateUserToken({ user_id: id }));
    expect(connected.auth).toBe('jwt');
    expect(connected.user?.id).toBe(id);
    expect(chat.userId).toBe(id);
    expect((await chat.getUser('existing')).name).toBe('Existing');
    const me = await chat.updateMe({ set: { name: 'Me', color: 'teal' } });
    expect(me).toMatchObject({ id, name: 'Me', color: 'teal', role: 'user' });
    expect((await chat.updateMe({ unset: ['color'] }))['color']).toBeUndefined();
    await chat.disconnectUser();
  });
});

describe('read_write', () => {
  test('a tokenless connect creates an unknown user, who may read and write itself', async () => {
    const chat = at('read_write').chat();
    const connected = await chat.connectUser({ id: 'newcomer' }, null);
    expect(connected.auth).toBe('none');
    expect(at('read_write').emulator.user('newcomer')?.role).toBe('user');
    expect((await chat.getUser('existing')).id).toBe('existing');
    expect((await chat.updateMe({ set: { name: 'New' } })).name).toBe('New');
  });

  test('a user that must use a token (one was issued) cannot connect without one: 45', async () => {
    const p = at('read_write');
    await p.server.issueToken('member');
    const err = await apiError(p.chat().connectUser({ id: 'member' }, null), 45);
    expect(err.message).toMatch(/token is required/);
  });
});

describe('read_only', () => {
  test('a tokenless connect of an existing user may read, not write (17)', async () => {
    const chat = at('read_only').chat();
    expect((await chat.connectUser({ id: 'existing' }, null)).auth).toBe('none');
    expect((await chat.getUser('existing')).name).toBe('Existing');
    await apiError(chat.updateMe({ set: { name: 'Changed' } }), 17);
    expect(at('read_only').emulator.user('existing')?.name).toBe('Existing');
  });

  test('a tokenless connect of an unknown user is refused (creating it is a write): 17', async () => {
    await apiError(at('read_only').chat().connectUser({ id: 'stranger' }, null), 17);
    expect(at('read_only').emulator.user('stranger')).toBeUndefined();
  });
});

describe('deny_login', () => {
  test('every tokenless way in is refused with 45: connect, anonymous, guest', async () => {
    const p = at('deny_login');
    await apiError(p.chat().connectUser({ id: 'existing' }, null), 45);
    await apiError(p.chat().connectAnonymousUser(), 45);
    await apiError(p.chat().setGuestUser({ id: 'guest-denied' }), 45);
    expect(p.emulator.user('guest-denied')).toBeUndefined();
  });
});

describe('anonymous users', () => {
  test.each(['read_write', 'read_only'] as const)('%s: may read users, may not write (17)', async (mode) => {
    const chat = at(mode).chat();
    const connected = await chat.connectAnonymousUser();
    expect(connected.auth).toBe('anonymous');
    expect(connected.user).toBeUndefined();
    expect(chat.userId).toBeUndefined();
    expect((await chat.getUser('existing')).name).toBe('Existing');
    await apiError(chat.updateMe({ set: { name: 'Nobody' } }), 17);
  });
});

describe('guests', () => {
  test.each(['read_write', 'read_only'] as const)('%s: a guest gets a guest user and a token, reads, and writes its own name only', async (mode) => {
    const p = at(mode);
    const chat = p.chat();
    const id = `guest-${mode.replace('_', '-')}`;
    const connected = await chat.setGuestUser({ id, name: 'Visitor' });
    expect(connected.auth).toBe('jwt');
    expect(connected.user).toMatchObject({ id, name: 'Visitor', role: 'guest' });
    expect(chat.userId).toBe(id);
    expect((await chat.getUser('existing')).id).toBe('existing');
    expect((await chat.updateMe({ set: { name: 'Renamed' } })).name).toBe('Renamed');
    await apiError(chat.updateMe({ set: { color: 'red' } }), 17);
  });

  test('the id of a regular user cannot be taken as a guest: 17', async () => {
    await apiError(at('read_write').chat().setGuestUser({ id: 'existing' }), 17);
    expect(at('read_write').emulator.user('existing')?.role).toBe('user');
  });

  test('an existing guest connecting again gets a fresh token and the same user', async () => {
    const p = at('read_write');
    const first = p.chat();
    await first.setGuestUser({ id: 'returning-guest', name: 'Back' });
    const second = p.chat();
    const again = await second.setGuestUser({ id: 'returning-guest' });
    expect(again.user).toMatchObject({ id: 'returning-guest', role: 'guest' });
    expect((await second.getUser('returning-guest')).role).toBe('guest');
  });
});
