// The issuer clock (docs/platform-api.md, "The revocation rule"), on a clock that only moves when
// told to: the order it keeps inside one millisecond, and its bounds.
import { MAX_LEAD_MS, MintClock } from '../../src/admin/clock';
import { revokingCutoff } from '../../src/tokens/revocation';

const T = Date.parse('2026-05-01T10:00:00.000Z');
let now = T;
const clock = (): MintClock => new MintClock(() => now);
const revoked = (stampMs: number, cutoffMs: number): boolean => revokingCutoff(stampMs / 1000, { user: new Date(cutoffMs) }) !== undefined;

beforeEach(() => {
  now = T;
});

test('in one millisecond: mint, cutoff, mint, cutoff, mint: each cutoff refuses what came before and nothing after', () => {
  const c = clock();
  const a = c.mintNow();
  const cut1 = c.cutoffNow();
  const b = c.mintNow();
  const cut2 = c.cutoffNow();
  const d = c.mintNow();
  expect([revoked(a, cut1), revoked(b, cut1), revoked(b, cut2), revoked(d, cut2)]).toEqual([true, false, true, false]);
  expect(d - T).toBe(2); // a millisecond of lead per revocation in the same millisecond
});

test('a given date in the millisecond of the last mint covers it, even where the stamp ran ahead; an earlier one is kept', () => {
  const c = clock();
  c.mintNow();
  c.cutoffNow();
  const ahead = c.mintNow(); // stamped T + 1, in clock millisecond T
  expect(ahead).toBe(T + 1);
  const given = c.givenCutoff(T); // new Date() in millisecond T
  expect(given).toBe(T + 1);
  expect(revoked(ahead, given)).toBe(true);
  expect(c.givenCutoff(T - 1)).toBe(T - 1); // before the last mint's millisecond: as given
  expect(c.mintNow()).toBe(T + 2); // after every cutoff known
});

test('a cutoff more than MAX_LEAD_MS ahead is the future: not noted, tokens stay on the clock (and are refused until then)', () => {
  const c = clock();
  const future = T + MAX_LEAD_MS + 1;
  expect(c.givenCutoff(future)).toBe(future);
  expect(c.mintNow()).toBe(T);
  c.observeCutoff(T + 5);
  expect(c.mintNow()).toBe(T + 6); // a near one is "now": the next token is after it
});

test('a clock set back by more than 2 s: the issuer starts again from the clock', () => {
  const c = clock();
  c.mintNow();
  c.cutoffNow();
  now = T - 2 * MAX_LEAD_MS - 1;
  expect(c.mintNow()).toBe(now);
});
