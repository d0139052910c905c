import { z } from 'zod';
import { ApiError, type ArgumentIssue, type RateLimitInfo, ResponseShapeError, issuesFromZod } from '../errors';
import { FAST_DECODERS, type ResponseReader } from './decoders';
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

/**
 * Parses and decodes a 2xx body with the endpoint's response schema (lenient to unknown fields):
 * through its hand-written decoder where it has one ({@link FAST_DECODERS}: the same value), and
 * with zod for the rest, and for every body that decoder does not accept (so a body that breaks
 * the contract gets zod's issues).
 */
export function decodeResponse<S extends z.ZodType>(schema: S, res: Response, text: string, ctx: ResponseContext): z.output<S> {
  const json = parseBody(res, text, ctx);
  const fast = FAST_DECODERS.get(schema)?.(json);
  if (fast !== undefined) return fast as z.output<S>;
  const decoded = z.safeDecode(schema, json as z.input<S>);
  if (!decoded.success) throw shapeError(res, ctx, issuesFromZod(decoded.error));
  return decoded.data;
}

/** Parses a 2xx body and reads it with `read` (only what a caller uses; see {@link ResponseReader}). */
export function readResponse<T>(read: ResponseReader<T>, res: Response, text: string, ctx: ResponseContext): T {
  const result = read(parseBody(res, text, ctx));
  if (!result.ok) throw shapeError(res, ctx, result.issues);
  return result.value;
}

function where(res: Response, ctx: ResponseContext): { where: string; requestId: string | undefined } {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  return { where: `${ctx.method} ${ctx.path}` + (requestId ? `, request ${requestId}` : ''), requestId };
}

function parseBody(res: Response, text: string, ctx: ResponseContext): unknown {
  const json = parseJson(text);
  if (json.ok) return json.value;
  const w = where(res, ctx);
  throw new ResponseShapeError(`The platform answered ${res.status} with a body that is not JSON (${w.where})`, [], w.requestId, { cause: json.error });
}

function shapeError(res: Response, ctx: ResponseContext, issues: ArgumentIssue[]): ResponseShapeError {
  const w = where(res, ctx);
  const lines = issues.map((i) => `  - ${i.path || '(body)'}: ${i.message}`).join('\n');
  return new ResponseShapeError(`The platform's response does not match the contract (${w.where}):\n${lines}`, issues, w.requestId);
}
