// createManualClock: time moves only when told, and sleeps end when it passes them.
import { ArgumentError } from 'tokenkit';
import { createManualClock } from 'tokenkit/emulator';

test('now() moves only with advance() and set()', () => {
  const clock = createManualClock(1000);
  expect(clock.now()).toBe(1000);
  clock.advance(500);
  expect(clock.now()).toBe(1500);
  clock.set(10);
  expect(clock.now()).toBe(10);
});

test('sleeps end once the clock passes them, in any order', async () => {
  const clock = createManualClock(0);
  const ended: number[] = [];
  const a = clock.sleep(100).then(() => ended.push(100));
  const b = clock.sleep(50).then(() => ended.push(50));
  const zero = clock.sleep(0).then(() => ended.push(0));
  await zero;
  expect(clock.pendingSleeps()).toBe(2);
  clock.advance(60);
  await b;
  expect(clock.pendingSleeps()).toBe(1);
  clock.set(100);
  await a;
  expect(ended).toEqual([0, 50, 100]);
});

test('bad values are refused with an ArgumentError', () => {
  const clock = createManualClock(0);
  expect(() => clock.advance(-1)).toThrow(ArgumentError);
  expect(() => clock.set(Number.NaN)).toThrow(ArgumentError);
  expect(() => createManualClock(Number.POSITIVE_INFINITY)).toThrow(/finite/);
});
