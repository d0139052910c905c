import { ArgumentError } from '../errors';

/**
 * The emulator's sense of time. Everything time-dependent in the emulator reads it: token
 * checks, revocation cutoffs set by `DELETE /v1/users/{id}/token`, `created_at`/`updated_at`,
 * session-token expiry, the idempotency window, rate-limit windows and `delay` faults.
 *
 * @example
 * ```ts
 * import { startEmulator, type Clock } from 'tokenkit/emulator';
 * const fixed: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };
 * const emulator = await startEmulator({ clock: fixed });
 * await emulator.close();
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Waits `ms` milliseconds of this clock's time (used by `delay` faults). Default: a real
   * `setTimeout`.
   */
  sleep?(ms: number): Promise<void>;
}

/**
 * The real clock: `Date.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * import { startEmulator, systemClock } from 'tokenkit/emulator';
 * const platform = await startEmulator({ clock: systemClock }); // the default
 * await platform.close();
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A clock that only moves when told to: `advance(ms)` and `set(ms)`. Sleeps (the `delay`
 * fault) end when the clock is moved past them, so a test controls every wait.
 *
 * @example
 * ```ts
 * import { createManualClock, startEmulator } from 'tokenkit/emulator';
 * const clock = createManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
 * const emulator = await startEmulator({ clock });
 * clock.advance(3_600_000); // one hour later: tokens valid for an hour are now expired
 * await emulator.close();
 * ```
 */
export interface ManualClock extends Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Moves the clock forward by `ms` (not backward: use `set`), ending the sleeps that are due. */
  advance(ms: number): void;
  /** Sets the clock to `ms` since the epoch, ending the sleeps that are due. */
  set(ms: number): void;
  /** How many sleeps are waiting for the clock to move. */
  pendingSleeps(): number;
}

interface Sleeper {
  until: number;
  resolve: () => void;
}

function checkMs(what: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new ArgumentError(`Invalid ${what}: expected a finite number of milliseconds`, [{ path: what, message: 'expected a finite number of milliseconds' }]);
  }
  return ms;
}

/**
 * Creates a {@link ManualClock} starting at `startMs` (default: `Date.now()` when called).
 *
 * @example
 * ```ts
 * import { createManualClock } from 'tokenkit/emulator';
 * const clock = createManualClock(0);
 * clock.advance(1500);
 * console.log(clock.now()); // 1500
 * ```
 */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let nowMs = checkMs('createManualClock(startMs)', startMs);
  let sleepers: Sleeper[] = [];
  const wake = (): void => {
    const due = sleepers.filter((s) => s.until <= nowMs);
    sleepers = sleepers.filter((s) => s.until > nowMs);
    for (const s of due) s.resolve();
  };
  return {
    now: () => nowMs,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const wait = Math.max(0, checkMs('sleep(ms)', ms));
        if (wait === 0) return resolve();
        sleepers.push({ until: nowMs + wait, resolve });
      }),
    advance(ms) {
      if (checkMs('advance(ms)', ms) < 0) {
        throw new ArgumentError('Invalid advance(ms): expected ms >= 0 (use set() to go back)', [{ path: 'ms', message: 'expected ms >= 0' }]);
      }
      nowMs += ms;
      wake();
    },
    set(ms) {
      nowMs = checkMs('set(ms)', ms);
      wake();
    },
    pendingSleeps: () => sleepers.length,
  };
}
