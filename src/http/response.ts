import { z } from 'zod';
import { ApiError, type RateLimitInfo, ResponseShapeError, issuesFromZod } from '../errors';
import { errorBodySchema } from '../schemas/common';

/** Where a response came from, for the messages of the errors built from it. */
export interface ResponseContext {
  method: string;
  path: string;
  /** The request's headers; the error redacts the secret ones at the source. */
  headers: Record<string, string>;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const v = headers.get(name);
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds) and `Retry-After` (seconds). */
export function rateLimitFrom(headers: Headers): RateLimitInfo | undefined {
  const limit = numberHeader(headers, 'x-ratelimit-limit');
  const remaining = numberHeader(headers, 'x-ratelimit-remaining');
  const reset = numberHeader(headers, 'x-ratelimit-reset');
  const retryAfterSeconds = numberHeader(headers, 'retry-after');
  if (limit === undefined && remaining === undefined && reset === undefined && retryAfterSeconds === undefined) return undefined;
  const info: RateLimitInfo = {};
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (reset !== undefined) info.reset = new Date(reset * 1000);
  if (retryAfterSeconds !== undefined) info.retryAfterSeconds = retryAfterSeconds;
  return info;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The {@link ApiError} for a non-2xx response. A body that is not the platform's error shape (a
 * proxy's HTML page, say) still gives an ApiError, code `ERR_NOT_PLATFORM_BODY`, without copying
 * the body.
 */
export function apiErrorFrom(res: Response, text: string, ctx: ResponseContext, note = ''): ApiError {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  const json = parseJson(text);
  const body = json.ok ? errorBodySchema.safeParse(json.value) : undefined;
  const base = {
    status: res.status,
    requestId,
    rateLimit: rateLimitFrom(res.headers),
    method: ctx.method,
    path: ctx.path,
    headers: ctx.headers,
  };
  if (body?.success) {
    return new ApiError({ ...base, code: body.data.code, message: body.data.message + note, moreInfo: body.data.more_info, unknownUserIds: body.data.unknown_user_ids });
  }
  return new ApiError({ ...base, code: 'ERR_NOT_PLATFORM_BODY', message: `HTTP ${res.status} without a platform error body${note}` });
}

/** Parses and decodes a 2xx body with the endpoint's response schema (lenient to unknown fields). */
export function decodeResponse<S extends z.ZodType>(schema: S, res: Response, text: string, ctx: ResponseContext): z.output<S> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  const where = `${ctx.method} ${ctx.path}` + (requestId ? `, request ${requestId}` : '');
  const json = parseJson(text);
  if (!json.ok) {
    throw new ResponseShapeError(`The platform answered ${res.status} with a body that is not JSON (${where})`, [], requestId, { cause: json.error });
  }
  const decoded = z.safeDecode(schema, json.value as z.input<S>);
  if (!decoded.success) {
    const issues = issuesFromZod(decoded.error);
    const lines = issues.map((i) => `  - ${i.path || '(body)'}: ${i.message}`).join('\n');
    throw new ResponseShapeError(`The platform's response does not match the contract (${where}):\n${lines}`, issues, requestId);
  }
  return decoded.data;
}
