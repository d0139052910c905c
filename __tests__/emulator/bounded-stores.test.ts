// The emulator's bounded stores (memory stays bounded however long it runs): the LRU behind connections and idempotency answers
// evicts in order, least recently used first, and the idempotency store, bounded in bytes, still
// replays the same bytes inside its window, over real HTTP on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { type Emulator, IDEMPOTENCY_WINDOW_MS, createManualClock, startEmulator } from 'tokenkit/emulator';
import { IdempotencyStore } from '../../src/emulator/idempotency';
import { LruMap } from '../../src/emulator/lru';

describe('LruMap', () => {
  test('past its cap it evicts the least recently used first, in order', () => {
    const lru = new LruMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) lru.set(k, i);
    expect([...lru.entries()]).toEqual([['c', 2], ['d', 3], ['e', 4]]);
    expect(lru.evicted).toBe(2);
    expect(lru.get('a')).toBeUndefined();
  });

  test('get refreshes an entry, peek does not; set of a known key refreshes it and keeps one entry', () => {
    const lru = new LruMap<string, number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1); // a is now the newest
    expect(lru.peek('b')).toBe(2); // b stays the oldest
    lru.set('d', 4);
    expect([...lru.entries()].map(([k]) => k)).toEqual(['c', 'a', 'd']);
    lru.set('c', 30);
    expect([...lru.entries()]).toEqual([['a', 1], ['d', 4], ['c', 30]]);
    expect(lru.size).toBe(3);
  });

  test('delete and clear unlink entries: the order of the rest holds, and the map is usable after', () => {
    const lru = new LruMap<number, number>(4);
    for (let i = 0; i < 4; i++) lru.set(i, i);
    lru.delete(0); // the head
    lru.delete(2); // the middle
    lru.delete(3); // the tail
    lru.delete(99); // unknown: nothing
    expect([...lru.entries()]).toEqual([[1, 1]]);
    lru.set(5, 5);
    expect([...lru.entries()].map(([k]) => k)).toEqual([1, 5]);
    lru.clear();
    expect(lru.size).toBe(0);
    expect([...lru.entries()]).toEqual([]);
    lru.set(7, 7);
    expect([...lru.entries()]).toEqual([[7, 7]]);
  });

  test('a byte bound evicts the oldest until the sum fits, and counts replaced values once', () => {
    const lru = new LruMap<string, string>(100, { maxBytes: 10, bytesOf: (_k, v) => v.length });
    lru.set('a', 'xxxx');
    lru.set('b', 'xxxx');
    expect(lru.bytes).toBe(8);
    lru.set('a', 'xx'); // replaced: 2 + 4, and a is now the newest
    expect(lru.bytes).toBe(6);
    lru.set('c', 'xxxxxx'); // 12 > 10: b (the oldest) goes
    expect([...lru.entries()].map(([k]) => k)).toEqual(['a', 'c']);
    expect(lru.bytes).toBe(8);
    lru.set('d', 'x'.repeat(11)); // larger than the bound alone: everything goes, itself too
    expect(lru.size).toBe(0);
    expect(lru.bytes).toBe(0);
  });

  test('a long run at the cap keeps exactly the newest entries (every eviction in order)', () => {
    const cap = 1000;
    const lru = new LruMap<number, number>(cap);
    for (let i = 0; i < 50_000; i++) lru.set(i, i);
    const keys = [...lru.entries()].map(([k]) => k);
    expect(keys).toEqual(Array.from({ length: cap }, (_, i) => 49_000 + i));
    expect(lru.evicted).toBe(49_000);
  });
});

describe('IdempotencyStore', () => {
  const answer = (body: string) => ({ fingerprint: 'f'.repeat(64), status: 200, body });

  test('replays within the window, forgets after it', () => {
    const store = new IdempotencyStore(10, 1 << 20);
    store.put('k', answer('{"a":1}'), 0);
    expect(store.get('k', IDEMPOTENCY_WINDOW_MS - 1)?.body).toBe('{"a":1}');
    expect(store.get('k', IDEMPOTENCY_WINDOW_MS)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test('an answer kept as UTF-8 bytes replays the same string, counted in its UTF-8 bytes', () => {
    const store = new IdempotencyStore(10, 1 << 20);
    const body = JSON.stringify({ user: { id: 'z', name: 'Zoë \u{1F642} 名前', lone: '\ud800' } });
    store.put('k', answer(body), 0);
    const replay = store.get('k', 1);
    expect(replay?.body).toBe(body);
    expect(replay?.status).toBe(200);
    expect(store.bytes).toBe(1 + 64 + Buffer.byteLength(body) + 16);
    // Each replay is the same, and a fresh string: the kept bytes are not changed by reading them.
    expect(store.get('k', 2)?.body).toBe(body);
  });

  test('bounded in bytes: the most recent answers that fit are kept, the oldest dropped and counted', () => {
    const body = 'x'.repeat(1000);
    const store = new IdempotencyStore(1000, 5000); // about 4 answers of 1000 bytes with their keys and fingerprints
    for (let i = 0; i < 10; i++) store.put(`key-${i}`, answer(body), 0);
    expect(store.bytes).toBeLessThanOrEqual(5000);
    expect(store.size).toBe(4);
    expect(store.evicted).toBe(6);
    for (let i = 6; i < 10; i++) expect(store.get(`key-${i}`, 1)?.body).toBe(body);
    expect(store.get('key-5', 1)).toBeUndefined();
  });
});

describe('the emulator with a byte-bounded idempotency store, over HTTP', () => {
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');
  const clock = createManualClock(T0);
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ clock, maxIdempotencyBytes: 64 * 1024 });
  });
  afterAll(() => emu.close());

  const headers = (key: string) => ({
    'Api-Key': emu.apiKey,
    Authorization: `Bearer ${emu.serverToken()}`,
    'Content-Type': 'application/json',
    'Idempotency-Key': key,
  });
  /** Creates 50 users with a long name each: an answer of about 10 KB. */
  const upsert = async (key: string, batch: number) => {
    const users = Array.from({ length: 50 }, (_, i) => ({ id: `u${batch}-${i}`, name: 'n'.repeat(150) }));
    const res = await fetch(`${emu.url}/v1/users`, { method: 'POST', headers: headers(key), body: JSON.stringify({ users }) });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), bytes: Buffer.from(await res.arrayBuffer()) };
  };

  test('a retry inside the window gets the same bytes; the store stays under its bound; the oldest go first', async () => {
    const keys = Array.from({ length: 12 }, () => randomUUID());
    const firsts = [];
    for (const [i, key] of keys.entries()) {
      firsts.push(await upsert(key, i));
      clock.advance(1000);
    }
    expect(firsts.every((a) => a.status === 200 && a.bytes.length > 9000)).toBe(true);
    const stats = emu.stats();
    expect(stats.idempotencyBytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.idempotencyEvicted).toBeGreaterThan(0);
    expect(stats.idempotencyKeys + stats.idempotencyEvicted).toBe(keys.length);

    // The newest answers are replayed byte for byte, within the window.
    clock.advance(IDEMPOTENCY_WINDOW_MS - 13_000);
    const newest = keys.length - 1;
    const replay = await upsert(keys[newest]!, newest);
    expect(replay.replayed).toBe('true');
    expect(replay.bytes.equals(firsts[newest]!.bytes)).toBe(true);
    // The oldest was dropped to stay under the bound: the request runs again (no replay header).
    const again = await upsert(keys[0]!, 0);
    expect(again.status).toBe(200);
    expect(again.replayed).toBeNull();
  });
});
