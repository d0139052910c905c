// The emulator's public functions, fed invalid arguments by fast-check: startEmulator
// rejects with a ConfigError, the clock and the fault and rate-limit controls
// throw an ArgumentError and keep their previous state; valid plans round-trip through stats().
import fc from 'fast-check';
import { ArgumentError, ConfigError } from 'tokenkit';
import { type Emulator, type FaultPlan, ROUTE_KEYS, createManualClock, startEmulator } from 'tokenkit/emulator';
import { notAnObjectArb, unknownKeyArb } from '../support/arbitraries';

const RUNS = { numRuns: Number(process.env.HARDENING_RUNS ?? 60) };
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const notFinite = fc.oneof(fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, '5', null, {}, 10n));

test('startEmulator: bad options reject with a ConfigError', async () => {
  const known = ['port', 'host', 'apiKey', 'apiSecret', 'clock', 'faults', 'rateLimit', 'dataFile', 'app', 'logger', 'clockToleranceSeconds', 'maxConnections', 'maxIdempotencyKeys', 'maxIdempotencyBytes', 'maxWrites'];
  const bad = fc.oneof(
    fc.tuple(unknownKeyArb(known), fc.anything({ maxDepth: 0 })).map(([k, v]) => ({ [k]: v })),
    fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65536 }), fc.double({ noInteger: true })).map((port) => ({ port })),
    fc.constantFrom<Record<string, unknown>>(
      { apiKey: '' },
      { apiSecret: '' },
      { clock: {} },
      { clock: { now: 1 } },
      { app: { disable_auth_checks: 'yes' } },
      { app: { other: true } },
      { logger: 'console' },
      { clockToleranceSeconds: -1 },
      { maxConnections: 0 },
      { faults: { rate: 2 } },
      { rateLimit: { limit: 0, windowMs: 1000 } },
    ),
  );
  await fc.assert(
    fc.asyncProperty(bad, async (options) => {
      await expect(startEmulator(options as never)).rejects.toBeInstanceOf(ConfigError);
    }),
    RUNS,
  );
});

test('createManualClock, advance and set: a value that is not a finite number of ms is an ArgumentError, and the clock keeps its time', () => {
  fc.assert(
    fc.property(notFinite, fc.double({ max: -0.001, noNaN: true }), (v, negative) => {
      expect(() => createManualClock(v as number)).toThrow(ArgumentError);
      const clock = createManualClock(1_000);
      expect(() => clock.advance(v as number)).toThrow(ArgumentError);
      expect(() => clock.advance(negative)).toThrow(ArgumentError);
      expect(() => clock.set(v as number)).toThrow(ArgumentError);
      expect(clock.now()).toBe(1_000);
    }),
    RUNS,
  );
});

test('faults.set and rateLimit.set: a bad plan is an ArgumentError and the previous plan stays; a valid plan is reported by stats()', () => {
  const action = fc.constantFrom<FaultPlan['action']>(429, 500, 503, 'drop', 'drop_after', 'delay');
  const goodPlan = fc.record({ rate: fc.double({ min: 0, max: 1, noNaN: true }), action, seed: fc.integer(), maxFaults: fc.integer({ min: 1, max: 1000 }) });
  const badPlan = fc.oneof(
    notAnObjectArb,
    fc.constant({}),
    fc.double().filter((r) => !(r >= 0 && r <= 1)).map((rate) => ({ rate })),
    fc.constant({ rate: 0.5, sequence: [503] }),
    fc.constant({ sequence: [] }),
    fc.constant({ sequence: [404] }),
    fc.constant({ rate: 0.5, action: 'pass' }),
    fc.string().filter((r) => !ROUTE_KEYS.includes(r)).map((r) => ({ rate: 0.5, routes: [r] })),
    fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 60_001 })).map((delayMs) => ({ rate: 0.5, delayMs })),
  );
  const badLimit = fc.oneof(notAnObjectArb, fc.constant({ limit: 0, windowMs: 1 }), fc.constant({ limit: 1, windowMs: 0 }), fc.constant({ limit: 1.5, windowMs: 10 }), fc.constant({ limit: 1, windowMs: 10, routes: ['GET /nope'] }));
  fc.assert(
    fc.property(goodPlan, badPlan, badLimit, (good, bad, limit) => {
      const set = emu.faults.set(good);
      expect(set).toMatchObject({ active: true, matched: 0, injected: 0, remaining: good.maxFaults });
      expect(() => emu.faults.set(bad as FaultPlan)).toThrow(ArgumentError);
      expect(emu.faults.stats()).toEqual(set);
      emu.rateLimit.set({ limit: 5, windowMs: 1000 });
      expect(() => emu.rateLimit.set(limit as never)).toThrow(ArgumentError);
      expect(emu.rateLimit.config).toEqual({ limit: 5, windowMs: 1000 });
    }),
    RUNS,
  );
  emu.faults.clear();
  emu.rateLimit.clear();
});
