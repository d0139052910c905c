/**
 * The platform emulator: {@link startEmulator} runs the whole platform contract on a local port,
 * for development and tests, with fault injection, a movable clock and a write log.
 *
 * @module tokenkit/emulator
 */
// The public API of `tokenkit/emulator`, listed by name (no `export *`).

export { startEmulator, Emulator } from './emulator';
export type { EmulatorStats } from './emulator';
export type { EmulatorOptions } from './options';
export type { CorsOrigins } from './cors';
export { createManualClock, systemClock } from './clock';
export type { Clock, ManualClock } from './clock';
export { FaultInjector, RateLimiter, ROUTE_KEYS, MAX_SCRIPTED_FAULTS } from './faults';
export type { FaultAction, FaultPlan, FaultStats, RateLimitConfig } from './faults';
export type { EmulatorLogRecord } from './server';
export type { AppSettings } from './state';
export type { WriteRecord, WriteFilter } from './writes';
export { IDEMPOTENCY_WINDOW_MS } from './idempotency';
export { MAX_BODY_BYTES } from './http-io';
export { GUEST_TOKEN_SECONDS } from './routes/client';
export { COMPATIBILITY_MODE_OFF_MESSAGE } from './routes/admin';
export { DASHBOARD_MAX_REQUESTS } from './dashboard/request-log';
