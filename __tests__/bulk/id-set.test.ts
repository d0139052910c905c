// The compact set behind bulk `dedupe`: exact, across table growth, for every length of
// a valid user id.
import { IdSet } from '../../src/bulk/id-set';

test('add answers true for a new id and false for one seen, has agrees, size counts distinct ids', () => {
  const set = new IdSet();
  expect(set.add('alice')).toBe(true);
  expect(set.add('bob')).toBe(true);
  expect(set.add('alice')).toBe(false);
  expect(set.has('alice')).toBe(true);
  expect(set.has('alic')).toBe(false);
  expect(set.has('alicee')).toBe(false);
  expect(set.size).toBe(2);
});

test('exact over 200,000 ids (the table and the arena grow many times): no id lost, no false duplicate', () => {
  const set = new IdSet();
  const n = 200_000;
  // Every answer is checked; the ids answered wrongly are collected and compared with [] once
  // (one expect per id costs seconds over 200,000 ids, and names no more than this list does).
  const lost: string[] = [];
  for (let i = 0; i < n; i++) if (set.add(`user-${i}`) !== true) lost.push(`user-${i}`);
  expect(lost).toEqual([]);
  expect(set.size).toBe(n);
  const notSeen: string[] = [];
  for (let i = 0; i < n; i += 997) if (set.add(`user-${i}`) !== false) notSeen.push(`user-${i}`);
  expect(notSeen).toEqual([]);
  const falseDuplicates: string[] = [];
  for (let i = n; i < n + 1000; i++) if (set.has(`user-${i}`) !== false) falseDuplicates.push(`user-${i}`);
  expect(falseDuplicates).toEqual([]);
  expect(set.size).toBe(n);
});

test('ids of 1 to 128 characters from the whole alphabet, including prefixes of each other', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@_-.';
  const ids: string[] = [];
  for (let len = 1; len <= 128; len++) ids.push(Array.from({ length: len }, (_, k) => alphabet[(k * 7 + len) % alphabet.length]).join(''));
  ids.push('a', 'aa', 'aaa');
  const set = new IdSet();
  const expected = new Set<string>();
  for (const id of ids) expect(set.add(id)).toBe(!expected.has(id) && (expected.add(id), true));
  for (const id of ids) expect(set.add(id)).toBe(false);
  expect(set.size).toBe(expected.size);
});
