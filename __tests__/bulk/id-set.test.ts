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
  for (let i = 0; i < n; i++) expect(set.add(`user-${i}`)).toBe(true);
  expect(set.size).toBe(n);
  for (let i = 0; i < n; i += 997) expect(set.add(`user-${i}`)).toBe(false);
  for (let i = n; i < n + 1000; i++) expect(set.has(`user-${i}`)).toBe(false);
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
