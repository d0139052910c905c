import type { z } from 'zod';
import { PLATFORM_CODES, type PlatformCodeName, type TokenCode } from '../schemas/codes';

/**
 * An error answer of the emulator: `{ code, message, status_code, more_info? }` with `status`.
 * Thrown inside handlers, turned into a response by the server.
 */
export class PlatformError extends Error {
  readonly status: number;
  readonly code: number;
  readonly headers: Record<string, string>;
  readonly moreInfo: string | undefined;
  /** Fields of the body that the contract adds to some errors (`unknown_user_ids`). */
  readonly fields: Record<string, unknown>;

  constructor(
    status: number,
    code: number,
    message: string,
    options: { headers?: Record<string, string>; moreInfo?: string; fields?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'PlatformError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.moreInfo = options.moreInfo;
    this.fields = options.fields ?? {};
  }

  /** The wire body of this error (contract: "Error body"). */
  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { ...this.fields, code: this.code, message: this.message, status_code: this.status };
    if (this.moreInfo !== undefined) body['more_info'] = this.moreInfo;
    return body;
  }
}

/**
 * A {@link PlatformError} by the name of its code in `PLATFORM_CODES`, with the code's own HTTP
 * status, or `status` where the contract answers that code with another one (405, 413, 503).
 */
export function platformError(name: PlatformCodeName, message: string, headers?: Record<string, string>, status?: number): PlatformError {
  const entry = PLATFORM_CODES[name];
  return new PlatformError(status ?? entry.status, entry.code, message, headers ? { headers } : {});
}

const TOKEN_STATUS = new Map<number, number>(Object.values(PLATFORM_CODES).map((e) => [e.code, e.status]));

/** A token error (40 to 46), with the status the code table gives it (401). */
export function tokenError(code: TokenCode, message: string): PlatformError {
  return new PlatformError(TOKEN_STATUS.get(code) ?? 401, code, message);
}

/** One zod issue, flattened: its dotted path and message. Values are never copied (they may be secrets). */
export interface FlatIssue {
  path: string;
  message: string;
}

function join(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  const rest = path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
  return [prefix, rest].filter(Boolean).join('.');
}

/**
 * Flattens zod issues. A union's issue ("Invalid input") is replaced by the issues of its
 * closest branch (the one with the fewest issues), so the message names the field at fault.
 */
export function flattenIssues(issues: ReadonlyArray<z.core.$ZodIssue>, prefix = ''): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = join(prefix, issue.path);
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
      out.push(...flattenIssues(best, path));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: join(path, [key]), message: 'unknown field' });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** A 400, code 4, whose message names each field at fault: `Invalid request body: users.0.id: ...`. */
export function invalidInput(what: string, error: z.ZodError, prefix = ''): PlatformError {
  const issues = flattenIssues(error.issues, prefix);
  const text = issues.map((i) => `${i.path || '(' + what + ')'}: ${i.message}`).join('; ');
  return platformError('input', `Invalid ${what}: ${text}`);
}
