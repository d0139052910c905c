import { z } from 'zod';
import { isoDateSchema } from '../../schemas/common';
import { type Endpoint, type HttpMethod } from '../../schemas/endpoints';
import { type FaultInjector, type RateLimiter, faultPlanSchema, rateLimitSchema } from '../faults';
import type { WriteFilter, WriteRecord } from '../writes';
import type { Handlers } from './context';

/** What the control routes (`/_emulator/...`) reach: the emulator's test controls. */
export interface TestControls {
  faults: FaultInjector;
  rateLimit: RateLimiter;
  writes(filter?: WriteFilter): WriteRecord[];
  reset(): void;
}

const faultsResponseSchema = z.object({
  faults: z.object({
    active: z.boolean(),
    matched: z.number(),
    injected: z.number(),
    remaining: z.number(),
    byAction: z.record(z.string(), z.number()),
  }),
});
const rateLimitResponseSchema = z.object({ rate_limit: rateLimitSchema.nullable() });
const writesQuerySchema = z.strictObject({
  user_id: z.string().optional(),
  route: z.string().optional(),
  field: z.string().optional(),
});
const writeRecordSchema = z.object({
  seq: z.number(),
  at: isoDateSchema,
  route: z.string(),
  requestId: z.string(),
  userId: z.string().optional(),
  fields: z.array(z.string()),
  created: z.boolean().optional(),
  tokenIssued: z.enum(['jwt', 'session']).optional(),
});
const writesResponseSchema = z.object({ writes: z.array(writeRecordSchema) });

const control = <Req extends z.ZodType | undefined, Res extends z.ZodType>(method: HttpMethod, path: string, request: Req, response: Res, query?: z.ZodType) =>
  ({ method, path, auth: 'admin', request, response, ...(query ? { query } : {}) }) as const satisfies Endpoint<Req, Res>;

/**
 * The emulator's own routes, for tests that reach it over HTTP only (the CLI): entries of the
 * route table like the contract's, of the `control` kind (not part of the contract, never hit by
 * faults, the rate limit or `Idempotency-Key` replays). `auth: 'admin'`: Api-Key and a server
 * token. Bodies are the same objects as `emulator.faults.set()` and `emulator.rateLimit.set()`,
 * checked with the same schemas.
 */
export const controlEndpoints = {
  getFaults: control('GET', '/_emulator/faults', undefined, faultsResponseSchema),
  setFaults: control('POST', '/_emulator/faults', faultPlanSchema, faultsResponseSchema),
  clearFaults: control('DELETE', '/_emulator/faults', undefined, faultsResponseSchema),
  getRateLimit: control('GET', '/_emulator/rate-limit', undefined, rateLimitResponseSchema),
  setRateLimit: control('POST', '/_emulator/rate-limit', rateLimitSchema, rateLimitResponseSchema),
  clearRateLimit: control('DELETE', '/_emulator/rate-limit', undefined, rateLimitResponseSchema),
  reset: control('POST', '/_emulator/reset', undefined, z.object({})),
  listWrites: control('GET', '/_emulator/writes', undefined, writesResponseSchema, writesQuerySchema),
};

/** The handlers of the control routes: input already checked by the endpoint's schemas. */
export const controlHandlers: Handlers<typeof controlEndpoints> = {
  getFaults: (ctx) => ({ faults: ctx.controls.faults.stats() }),
  setFaults: (ctx, plan) => ({ faults: ctx.controls.faults.set(plan) }),
  clearFaults: (ctx) => ({ faults: ctx.controls.faults.clear() }),
  getRateLimit: (ctx) => ({ rate_limit: ctx.controls.rateLimit.config ?? null }),
  setRateLimit: (ctx, config) => {
    ctx.controls.rateLimit.set(config);
    return { rate_limit: ctx.controls.rateLimit.config ?? null };
  },
  clearRateLimit: (ctx) => {
    ctx.controls.rateLimit.clear();
    return { rate_limit: null };
  },
  reset: (ctx) => {
    ctx.controls.reset();
    return {};
  },
  listWrites: (ctx) => {
    // Decoded by the pipeline with the endpoint's query schema.
    const { user_id, route, field } = ctx.query as z.output<typeof writesQuerySchema>;
    return { writes: ctx.controls.writes({ userId: user_id, route, field }) };
  },
};
