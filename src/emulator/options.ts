import { z } from 'zod';
import { accessTokenPermissionSchema } from '../schemas/app';
import { parseOptions } from '../schemas/validate';
import type { Clock } from './clock';
import { type CorsOrigins, corsOriginsSchema } from './cors';
import { type FaultPlan, type RateLimitConfig, faultPlanSchema, rateLimitSchema } from './faults';
import type { EmulatorLogRecord } from './server';
import type { AppSettings } from './state';

/**
 * The options of {@link startEmulator}. Unknown keys and wrong types are refused with a
 * `ConfigError` naming the option.
 *
 * @example
 * ```ts
 * import { createManualClock, startEmulator } from 'tokenkit/emulator';
 * const emulator = await startEmulator({
 *   clock: createManualClock(Date.now()),
 *   app: { access_token_permission: 'read_only' },
 *   logger: (r) => console.log(r.method, r.path, r.status),
 * });
 * await emulator.close();
 * ```
 */
export interface EmulatorOptions {
  /** The port to listen on. Default 0: a free port (tests run in parallel). */
  port?: number | undefined;
  /** The address to listen on. Default `127.0.0.1`. */
  host?: string | undefined;
  /** The app's API key. Default: a random one. */
  apiKey?: string | undefined;
  /** The app's secret. Default: a random one (32 bytes, hex). */
  apiSecret?: string | undefined;
  /** The emulator's clock (see {@link createManualClock}). Default: the system clock. */
  clock?: Clock | undefined;
  /** A fault plan active from the start (see `emulator.faults`). */
  faults?: FaultPlan | undefined;
  /** A per-route rate limit active from the start (see `emulator.rateLimit`). */
  rateLimit?: RateLimitConfig | undefined;
  /** A JSON file to load the state from and write it to, atomically, after each change. Default: memory only. */
  dataFile?: string | undefined;
  /** App settings applied at start and by `reset()`, over the contract's defaults (and over a loaded data file). */
  app?: Partial<AppSettings> | undefined;
  /** Receives one record per request. Default: silent. */
  logger?: ((record: EmulatorLogRecord) => void) | undefined;
  /** Seconds that `nbf` and `iat` may lie in the future. Default 5. */
  clockToleranceSeconds?: number | undefined;
  /** The most open connections kept; the least recently used is dropped first. Default 10000. */
  maxConnections?: number | undefined;
  /** The most `Idempotency-Key` answers kept (each for 10 minutes). Default 10000. */
  maxIdempotencyKeys?: number | undefined;
  /** The most bytes of `Idempotency-Key` answers kept (bodies, keys, fingerprints); the least recently used is dropped first. Default 67108864 (64 MiB). */
  maxIdempotencyBytes?: number | undefined;
  /** The most write-log records kept (the oldest go first). Default 100000. */
  maxWrites?: number | undefined;
  /**
   * Serve the dashboard (app settings, users, token generator and inspector, live requests,
   * faults) at `emulator.dashboardUrl`. Loopback hosts only. Default false (the CLI turns it on).
   */
  dashboard?: boolean | undefined;
  /**
   * The web origins whose pages may call the client routes from a browser (CORS), e.g.
   * `['http://localhost:3000']`, or `'*'` for any. Default: none. Admin routes never answer a
   * cross-origin request, whatever this says: they need the app secret, which no page may hold.
   */
  corsOrigins?: CorsOrigins | undefined;
}

/** The most open connections kept, where `maxConnections` does not say. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** The most `Idempotency-Key` answers kept, where `maxIdempotencyKeys` does not say. */
export const DEFAULT_MAX_IDEMPOTENCY_KEYS = 10_000;
/** The most write-log records kept, where `maxWrites` does not say. */
export const DEFAULT_MAX_WRITES = 100_000;

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { error: `expected ${what}` });

const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  apiKey: z.string().min(1, { error: 'must not be empty' }).max(256).optional(),
  apiSecret: z.string().min(1, { error: 'must not be empty' }).optional(),
  clock: z
    .custom<Clock>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as Clock).now === 'function' &&
        ((v as Clock).sleep === undefined || typeof (v as Clock).sleep === 'function'),
      { error: 'expected { now(): number, sleep?(ms): Promise<void> }' },
    )
    .optional(),
  faults: faultPlanSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  dataFile: z.string().min(1).optional(),
  app: z
    .strictObject({
      revoke_tokens_issued_before: z.date().nullable().optional(),
      disable_auth_checks: z.boolean().optional(),
      access_token_permission: accessTokenPermissionSchema.optional(),
      jwt_enabled: z.boolean().optional(),
      jwt_compatibility_mode: z.boolean().optional(),
    })
    .optional(),
  logger: fn<(record: EmulatorLogRecord) => void>('a function (record) => void').optional(),
  clockToleranceSeconds: z.number().min(0).max(3600).optional(),
  maxConnections: z.number().int().min(1).max(10_000_000).optional(),
  maxIdempotencyKeys: z.number().int().min(1).max(10_000_000).optional(),
  maxIdempotencyBytes: z.number().int().min(1024).max(2 ** 40).optional(),
  maxWrites: z.number().int().min(1).max(10_000_000).optional(),
  dashboard: z.boolean().optional(),
  corsOrigins: corsOriginsSchema.optional(),
});

/** The options, validated; throws a `ConfigError` listing every option at fault. */
export function validateEmulatorOptions(input: unknown): EmulatorOptions {
  return parseOptions(optionsSchema, input ?? {}, 'emulator options');
}
