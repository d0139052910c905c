/**
 * Fakes `Date` only (timers, ticks and I/O stay real): the emulator, the backend's ServerClient and
 * the UserClient all read `Date.now()`, so `jest.setSystemTime` moves everyone's clock at once and
 * tokens expire without a real wait. Create ServerClients after this call (they keep `Date.now`).
 */
export function fakeDateOnly(): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/** Moves the faked clock forward. */
export function moveClock(ms: number): void {
  jest.setSystemTime(Date.now() + ms);
}
