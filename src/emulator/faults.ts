import { z } from 'zod';
import { parseArgument } from '../schemas/validate';
import { adminEndpoints, clientEndpoints } from '../schemas/endpoints';

/**
 * Every contract route as `"METHOD /path"`, e.g. `"DELETE /v1/users/:id/token"`: how faults and writes name routes.
 *
 * @example
 * ```ts
 * import { ROUTE_KEYS } from 'tokenkit/emulator';
 * console.log(ROUTE_KEYS.includes('DELETE /v1/users/:id/token')); // true
 * emulator.faults.set({ routes: ROUTE_KEYS.filter((r) => r.startsWith('PATCH')), sequence: [503] });
 * ```
 */
export const ROUTE_KEYS: readonly string[] = [
  ...new Set([...Object.values(adminEndpoints), ...Object.values(clientEndpoints)].map((e) => `${e.method} ${e.path}`)),
];

/**
 * What a fault does to a request:
 * - `429`, `500`, `503`: answered at once with that status (429 with `Retry-After` and the
 *   `X-RateLimit-*` headers); nothing is applied.
 * - `'drop'`: the connection is destroyed before the request is handled; nothing is applied.
 * - `'drop_after'`: the request is handled (and applied), then the connection is destroyed
 *   instead of answering: the response is lost.
 * - `'delay'`: the request waits `delayMs` (of the emulator's clock), then is handled normally.
 * - `'pass'` (in a `sequence`): this request is let through.
 *
 * @example
 * ```ts
 * import type { FaultAction } from 'tokenkit/emulator';
 * const flaky: FaultAction[] = [503, 'pass', 'drop_after', 429];
 * emulator.faults.set({ routes: ['PATCH /v1/users'], sequence: flaky });
 * ```
 */
export type FaultAction = 'pass' | 429 | 500 | 503 | 'drop' | 'drop_after' | 'delay';

const actionSchema = z.union([z.literal(['pass', 'drop', 'drop_after', 'delay']), z.literal([429, 500, 503])], {
  error: 'expected one of 429, 500, 503, "drop", "drop_after", "delay", "pass"',
});

const routesSchema = z
  .array(z.string().refine((r) => ROUTE_KEYS.includes(r), { error: `expected one of: ${ROUTE_KEYS.join(', ')}` }))
  .min(1, { error: 'give at least one route, or leave routes out for every route' });

/**
 * The most entries a scripted `sequence` may hold, and the most faults a `rate` plan may inject.
 *
 * @example
 * ```ts
 * import { MAX_SCRIPTED_FAULTS } from 'tokenkit/emulator';
 * emulator.faults.set({ rate: 0.1, seed: 3, maxFaults: Math.min(1000, MAX_SCRIPTED_FAULTS) });
 * ```
 */
export const MAX_SCRIPTED_FAULTS = 100_000;

/**
 * A fault plan: either a scripted `sequence` of answers for the next matching requests, or a
 * `rate` (fraction) of matching requests chosen by a seeded PRNG, up to `maxFaults`. Either way
 * a plan ends: faults never hit forever.
 *
 * @example
 * ```ts
 * import type { FaultPlan } from 'tokenkit/emulator';
 * const scripted: FaultPlan = { routes: ['POST /v1/users/:id/token'], sequence: [503, 'pass', 'drop_after'] };
 * const random: FaultPlan = { rate: 0.1, seed: 42, action: 429, maxFaults: 20, retryAfterSeconds: 2 };
 * ```
 */
export interface FaultPlan {
  /** The routes it applies to, as `"METHOD /path"` (see {@link ROUTE_KEYS}). Default: every contract route. */
  routes?: string[] | undefined;
  /** The answers to the next matching requests, in order; once used up, the plan is over. */
  sequence?: FaultAction[] | undefined;
  /** The fraction (0 to 1) of matching requests that get `action`, chosen by a PRNG seeded with `seed`. */
  rate?: number | undefined;
  /** With `rate`: the fault to inject (default 503). */
  action?: Exclude<FaultAction, 'pass'> | undefined;
  /** With `rate`: the PRNG's seed (default 1); the same seed picks the same requests. */
  seed?: number | undefined;
  /** With `rate`: the plan ends after this many faults (default 100). */
  maxFaults?: number | undefined;
  /** `Retry-After` of an injected 429, in whole seconds (default 1). */
  retryAfterSeconds?: number | undefined;
  /** How long a `delay` fault holds a request, in ms (default 100, at most 60000). */
  delayMs?: number | undefined;
}

export const faultPlanSchema = z
  .strictObject({
    routes: routesSchema.optional(),
    sequence: z.array(actionSchema).min(1).max(MAX_SCRIPTED_FAULTS).optional(),
    rate: z.number().min(0).max(1).optional(),
    action: actionSchema.refine((a) => a !== 'pass', { error: '"pass" is not a fault' }).optional(),
    seed: z.number().int().optional(),
    maxFaults: z.number().int().min(1).max(MAX_SCRIPTED_FAULTS).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.sequence === undefined) === (p.rate === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'give exactly one of sequence or rate' });
    }
    if (p.sequence !== undefined) {
      for (const k of ['action', 'seed', 'maxFaults'] as const) {
        if (p[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'goes with rate, not with sequence' });
      }
    }
  });

/** What the plan decided for one request. */
export interface FaultDecision {
  action: Exclude<FaultAction, 'pass'>;
  retryAfterSeconds: number;
  delayMs: number;
}

/**
 * Counts of a fault plan: requests it saw, faults it injected, faults it may still inject.
 *
 * @example
 * ```ts
 * import type { FaultStats } from 'tokenkit/emulator';
 * emulator.faults.set({ routes: ['PATCH /v1/users'], sequence: [503] });
 * await client.revokeUserTokens('alice'); // the first attempt gets the 503, the retry goes through
 * const stats: FaultStats = emulator.faults.stats();
 * console.log(stats.injected, stats.remaining, stats.byAction); // 1 0 { '503': 1 }
 * ```
 */
export interface FaultStats {
  /** Whether a plan is set and not used up. */
  active: boolean;
  /** Requests the plan looked at (on its routes). */
  matched: number;
  /** Faults it injected. */
  injected: number;
  /** Faults it may still inject. */
  remaining: number;
  /** Injected faults by action, e.g. `{ "503": 2, "drop": 1 }`. */
  byAction: Record<string, number>;
}

/** mulberry32: a small seeded PRNG, so a `rate` plan picks the same requests on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The fault injector, reachable as `emulator.faults`: `set(plan)` replaces the plan, `clear()`
 * removes it, `stats()` counts.
 *
 * @example
 * ```ts
 * import { startEmulator } from 'tokenkit/emulator';
 * const emulator = await startEmulator();
 * emulator.faults.set({ routes: ['PATCH /v1/users'], sequence: [503, 'drop_after'] });
 * await emulator.close();
 * ```
 */
export class FaultInjector {
  #plan: z.output<typeof faultPlanSchema> | undefined;
  #random: () => number = Math.random;
  #position = 0;
  #stats: FaultStats = FaultInjector.#empty(false);

  static #empty(active: boolean): FaultStats {
    return { active, matched: 0, injected: 0, remaining: 0, byAction: {} };
  }

  /**
   * Replaces the plan (validated: a bad plan throws an `ArgumentError` naming the field, and the old plan stays).
   *
   * @example
   * ```ts
   * emulator.faults.set({ routes: ['POST /v1/users/:id/token'], sequence: [429], retryAfterSeconds: 1 });
   * ```
   */
  set(plan: FaultPlan): FaultStats {
    const parsed = parseArgument(faultPlanSchema, plan, 'fault plan', { oneLine: true });
    this.#plan = parsed;
    this.#random = mulberry32(parsed.seed ?? 1);
    this.#position = 0;
    this.#stats = FaultInjector.#empty(true);
    this.#stats.remaining = parsed.sequence ? parsed.sequence.filter((a) => a !== 'pass').length : (parsed.maxFaults ?? 100);
    return this.stats();
  }

  /**
   * Removes the plan.
   *
   * @example
   * ```ts
   * emulator.faults.set({ rate: 0.5, seed: 1 });
   * emulator.faults.clear(); // every request goes through again
   * ```
   */
  clear(): FaultStats {
    this.#plan = undefined;
    this.#stats.active = false;
    this.#stats.remaining = 0;
    return this.stats();
  }

  /**
   * A copy of the counts.
   *
   * @example
   * ```ts
   * console.log(emulator.faults.stats().active); // false: no plan set
   * ```
   */
  stats(): FaultStats {
    return { ...this.#stats, byAction: { ...this.#stats.byAction } };
  }

  /**
   * Decides the fate of one request on `route`; undefined lets it through. The emulator's server
   * calls it for every request.
   *
   * @internal
   */
  next(route: string): FaultDecision | undefined {
    const plan = this.#plan;
    if (!plan) return undefined;
    if (plan.routes && !plan.routes.includes(route)) return undefined;
    this.#stats.matched++;
    let action: FaultAction | undefined;
    if (plan.sequence) {
      action = plan.sequence[this.#position++];
      if (this.#position >= plan.sequence.length) this.#done();
    } else if (this.#random() < (plan.rate ?? 0)) {
      action = plan.action ?? 503;
    }
    if (action === undefined || action === 'pass') return undefined;
    this.#stats.injected++;
    this.#stats.remaining = Math.max(0, this.#stats.remaining - 1);
    this.#stats.byAction[String(action)] = (this.#stats.byAction[String(action)] ?? 0) + 1;
    if (plan.rate !== undefined && this.#stats.injected >= (plan.maxFaults ?? 100)) this.#done();
    return { action, retryAfterSeconds: plan.retryAfterSeconds ?? 1, delayMs: plan.delayMs ?? 100 };
  }

  #done(): void {
    this.#plan = undefined;
    this.#stats.active = false;
  }
}

/**
 * A fixed-window rate limit per route: at most `limit` requests per `windowMs`, then 429.
 *
 * @example
 * ```ts
 * import type { RateLimitConfig } from 'tokenkit/emulator';
 * const limit: RateLimitConfig = { limit: 5, windowMs: 1000, routes: ['POST /v1/connect'] };
 * emulator.rateLimit.set(limit);
 * ```
 */
export interface RateLimitConfig {
  /** Requests allowed per window, per route. */
  limit: number;
  /** The window, in ms (windows are aligned on the epoch: a new one starts every `windowMs`). */
  windowMs: number;
  /** The routes it applies to, as `"METHOD /path"`. Default: every contract route. */
  routes?: string[] | undefined;
}

export const rateLimitSchema = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000),
  windowMs: z.number().int().min(1).max(24 * 3600 * 1000),
  routes: routesSchema.optional(),
});

/** The rate-limit headers of one response, and whether it is refused. */
export interface RateLimitVerdict {
  limited: boolean;
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

/**
 * The per-route rate limiter, reachable as `emulator.rateLimit`.
 *
 * @example
 * ```ts
 * import { startEmulator } from 'tokenkit/emulator';
 * const emulator = await startEmulator({ rateLimit: { limit: 5, windowMs: 1000, routes: ['POST /v1/connect'] } });
 * emulator.rateLimit.clear();
 * await emulator.close();
 * ```
 */
export class RateLimiter {
  #config: RateLimitConfig | undefined;
  readonly #windows = new Map<string, { start: number; count: number }>();

  /**
   * Sets the limit (validated: a bad one throws an `ArgumentError` naming the field); counting starts afresh.
   *
   * @example
   * ```ts
   * emulator.rateLimit.set({ limit: 100, windowMs: 60_000 }); // every route: 100 requests a minute each
   * ```
   */
  set(config: RateLimitConfig): void {
    this.#config = parseArgument(rateLimitSchema, config, 'rate limit', { oneLine: true });
    this.#windows.clear();
  }

  /**
   * Removes the limit.
   *
   * @example
   * ```ts
   * emulator.rateLimit.set({ limit: 1, windowMs: 1000 });
   * emulator.rateLimit.clear();
   * console.log(emulator.rateLimit.config); // undefined
   * ```
   */
  clear(): void {
    this.#config = undefined;
    this.#windows.clear();
  }

  /**
   * The current limit, if any.
   *
   * @example
   * ```ts
   * emulator.rateLimit.set({ limit: 10, windowMs: 1000 });
   * console.log(emulator.rateLimit.config); // { limit: 10, windowMs: 1000 }
   * ```
   */
  get config(): RateLimitConfig | undefined {
    return this.#config ? { ...this.#config } : undefined;
  }

  /**
   * Counts one request on `route` at `nowMs`; undefined where no limit applies. The emulator's
   * server calls it for every request.
   *
   * @internal
   */
  check(route: string, nowMs: number): RateLimitVerdict | undefined {
    const c = this.#config;
    if (!c || (c.routes && !c.routes.includes(route))) return undefined;
    const start = Math.floor(nowMs / c.windowMs) * c.windowMs;
    let w = this.#windows.get(route);
    if (!w || w.start !== start) this.#windows.set(route, (w = { start, count: 0 }));
    w.count++;
    const resetMs = start + c.windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((resetMs - nowMs) / 1000));
    return {
      limited: w.count > c.limit,
      retryAfterSeconds,
      headers: {
        'X-RateLimit-Limit': String(c.limit),
        'X-RateLimit-Remaining': String(Math.max(0, c.limit - w.count)),
        'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
      },
    };
  }
}
