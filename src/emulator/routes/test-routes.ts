import { z } from 'zod';
import { ArgumentError } from '../../errors';
import { PlatformError, platformError } from '../errors';
import type { FaultInjector, FaultPlan, RateLimitConfig, RateLimiter } from '../faults';
import type { WriteFilter, WriteRecord } from '../writes';

/** What the test routes (`/_emulator/...`) reach: the emulator's test controls. */
export interface TestControls {
  faults: FaultInjector;
  rateLimit: RateLimiter;
  writes(filter?: WriteFilter): WriteRecord[];
  reset(): void;
}

type TestHandler = (controls: TestControls, body: unknown, query: URLSearchParams) => unknown;

function apply(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    // FaultInjector and RateLimiter refuse bad input with an ArgumentError naming the field.
    if (err instanceof ArgumentError) throw platformError('input', err.message);
    throw err;
  }
}

const writeFilter = z.strictObject({
  user_id: z.string().optional(),
  route: z.string().optional(),
  field: z.string().optional(),
});

/**
 * The emulator's own routes, for tests that reach it over HTTP only (the CLI): not part of the
 * contract, admin authentication (Api-Key + server token) required, never hit by faults or the
 * rate limit. Bodies are the same objects as `emulator.faults.set()` and `emulator.rateLimit.set()`.
 */
export const TEST_ROUTES: Record<string, Partial<Record<string, TestHandler>>> = {
  '/_emulator/faults': {
    GET: (c) => ({ faults: c.faults.stats() }),
    POST: (c, body) => ({ faults: apply(() => c.faults.set(body as FaultPlan)) }),
    DELETE: (c) => ({ faults: c.faults.clear() }),
  },
  '/_emulator/rate-limit': {
    GET: (c) => ({ rate_limit: c.rateLimit.config ?? null }),
    POST: (c, body) => {
      apply(() => c.rateLimit.set(body as RateLimitConfig));
      return { rate_limit: c.rateLimit.config ?? null };
    },
    DELETE: (c) => {
      c.rateLimit.clear();
      return { rate_limit: null };
    },
  },
  '/_emulator/reset': {
    POST: (c) => {
      c.reset();
      return {};
    },
  },
  '/_emulator/writes': {
    GET: (c, _body, query) => {
      const parsed = writeFilter.safeParse(Object.fromEntries(query));
      if (!parsed.success) throw platformError('input', `Invalid query: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const { user_id, route, field } = parsed.data;
      const writes = c.writes({ userId: user_id, route, field });
      return { writes: writes.map((w) => ({ ...w, at: w.at.toISOString() })) };
    },
  },
};

/** The test route's handler, or 404 / 405. */
export function matchTestRoute(method: string, pathname: string): TestHandler {
  const methods = TEST_ROUTES[pathname];
  if (!methods) throw platformError('notFound', `no route ${pathname}`);
  const handler = methods[method];
  if (!handler) {
    const allowed = Object.keys(methods).join(', ');
    throw new PlatformError(405, 4, `${method} is not allowed on ${pathname} (allowed: ${allowed})`, { headers: { Allow: allowed } });
  }
  return handler;
}
