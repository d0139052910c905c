// The platform's error codes, in one table (contract: "Error body"). Every other place that gives
// a code a meaning reads it from here: the error types (TokenErrorCode, ApiError.isTokenError),
// the UserClient's refresh set and its fault hints, ServerClient's admin 401 hints, and the
// emulator's answers. Pure data: no Node-only module, so the browser client can load it.

/**
 * One platform error code: the number the platform sends in the error body's `code`, the HTTP
 * status it comes with, what it means, what to do about it, and whether a fresh token fixes it.
 *
 * @example
 * ```ts
 * import { PLATFORM_CODES, type PlatformCodeInfo } from 'tokenkit';
 * const expired: PlatformCodeInfo = PLATFORM_CODES.tokenExpired;
 * console.log(expired.code, expired.status, expired.refresh); // 40 401 true
 * ```
 */
export interface PlatformCodeInfo {
  /** The body's `code`. */
  readonly code: number;
  /** The HTTP status the platform answers it with. */
  readonly status: number;
  /** What the platform is saying. */
  readonly meaning: string;
  /** What the caller can do about it. */
  readonly hint: string;
  /** True where a fresh user token fixes it: a client with a token provider refreshes and sends again. */
  readonly refresh: boolean;
  /** True for the codes a token check ends in (40 to 46). */
  readonly token: boolean;
  /**
   * What a 401 with this code on an admin route says about the ServerClient's own configuration
   * (the API key and the server token come from its options), where it says something.
   */
  readonly adminHint?: string;
}

const TOKEN_CLOCK_FAST = "the clock of the backend that mints tokens runs fast: check its time sync (NTP)";

// The table itself; exported below with each entry typed as a PlatformCodeInfo.
const TABLE = {
  apiKey: {
    code: 2,
    status: 401,
    meaning: 'API key missing or unknown',
    hint: 'send the Api-Key of an app the platform knows',
    refresh: false,
    token: false,
    adminHint: 'Check apiKey (or TOKENKIT_API_KEY): the platform does not know this API key',
  },
  input: {
    code: 4,
    status: 400,
    meaning: 'input invalid (the message names the field)',
    hint: 'fix the field the message names; sending the same input again gets the same answer',
    refresh: false,
    token: false,
  },
  rateLimited: {
    code: 9,
    status: 429,
    meaning: 'rate limited',
    hint: 'wait the Retry-After seconds, then send again',
    refresh: false,
    token: false,
  },
  notFound: {
    code: 16,
    status: 404,
    meaning: 'not found (for example, the user)',
    hint: 'create it first, or check the id',
    refresh: false,
    token: false,
  },
  notAllowed: {
    code: 17,
    status: 403,
    meaning: 'not allowed (for example, a write in read-only mode, or a user token on an admin route)',
    hint: "check the app's access_token_permission, and that admin routes get a server token",
    refresh: false,
    token: false,
  },
  tokenExpired: {
    code: 40,
    status: 401,
    meaning: 'token expired (exp passed)',
    hint: 'fetch a fresh token (a token provider does it by itself)',
    refresh: true,
    token: true,
    adminHint: "Check this server's clock: the platform found the server token expired",
  },
  tokenNotYetValid: {
    code: 41,
    status: 401,
    meaning: 'token not valid yet (nbf in the future beyond the clock tolerance)',
    hint: `a clock fault: the token is not valid yet (nbf ahead of the platform's clock beyond the tolerance); ${TOKEN_CLOCK_FAST}`,
    refresh: false,
    token: true,
  },
  tokenIssuedInFuture: {
    code: 42,
    status: 401,
    meaning: 'token issued in the future (iat beyond the clock tolerance)',
    hint: `a clock fault: the token was issued in the future (iat ahead of the platform's clock beyond the tolerance); ${TOKEN_CLOCK_FAST}`,
    refresh: false,
    token: true,
    adminHint: "Check this server's clock: the platform found the server token issued in the future",
  },
  tokenMalformed: {
    code: 43,
    status: 401,
    meaning: 'token malformed, wrong algorithm, or bad signature',
    hint: 'a signing fault: the token is malformed or its signature does not verify; the backend must mint HS256 tokens with the secret of the app this API key belongs to',
    refresh: false,
    token: true,
    adminHint: "Check apiSecret (or TOKENKIT_API_SECRET): the platform could not verify the server token signed with this client's secret",
  },
  tokenRevoked: {
    code: 44,
    status: 401,
    meaning: "token revoked (by the user's or the app's revoke_tokens_issued_before, or by DELETE token), or signed with a retired app secret",
    hint: 'fetch a fresh token (a token provider does it by itself)',
    refresh: true,
    token: true,
    adminHint: 'Check apiSecret (or TOKENKIT_API_SECRET): the secret signing the server token is retired; sign with the primary secret (docs/secret-rotation.md)',
  },
  tokenRequired: {
    code: 45,
    status: 401,
    meaning: 'token required (deny_login mode, or a user that must always use a token)',
    hint: 'a token is required here (deny_login mode, or a user that must always use a token): connect with a token or a token provider',
    refresh: false,
    token: true,
  },
  tokenWrongUser: {
    code: 46,
    status: 401,
    meaning: 'token belongs to another user',
    hint: 'the token belongs to another user than the one connected: the token provider must return a token for this user only',
    refresh: false,
    token: true,
  },
  internal: {
    code: -1,
    status: 500,
    meaning: "internal error (the platform's own code for it)",
    hint: 'send again later; quote the X-Request-Id if it persists',
    refresh: false,
    token: false,
  },
} as const satisfies Record<string, PlatformCodeInfo>;

type Codes = typeof TABLE;

/**
 * Every code of the platform, by name. The name is the key: `PLATFORM_CODES.tokenExpired.code`
 * is 40 (as a type too). Codes 40 to 46 are the token codes; `refresh` marks the two a new token fixes.
 *
 * @example
 * ```ts
 * import { ApiError, PLATFORM_CODES } from 'tokenkit';
 * const failed = await client.getUser('nobody').catch((err: unknown) => err);
 * if (failed instanceof ApiError && failed.code === PLATFORM_CODES.notFound.code) console.log(PLATFORM_CODES.notFound.hint);
 * ```
 */
export const PLATFORM_CODES: {
  readonly [K in keyof Codes]: PlatformCodeInfo & {
    /** The code, as its own literal type (`40` for `tokenExpired`). */
    readonly code: Codes[K]['code'];
  };
} = TABLE;

/**
 * The name of a platform code, e.g. `tokenExpired`.
 *
 * @example
 * ```ts
 * import { PLATFORM_CODES, type PlatformCodeName } from 'tokenkit';
 * const clockFaults: PlatformCodeName[] = ['tokenNotYetValid', 'tokenIssuedInFuture'];
 * console.log(clockFaults.map((name) => PLATFORM_CODES[name].code)); // [ 41, 42 ]
 * ```
 */
export type PlatformCodeName = keyof typeof PLATFORM_CODES;

/** The code of every entry marked `token`: 40 | 41 | ... | 46. */
export type TokenCode = { [K in PlatformCodeName]: Codes[K] extends { token: true } ? Codes[K]['code'] : never }[PlatformCodeName];

const ENTRIES = Object.entries(PLATFORM_CODES) as Array<[PlatformCodeName, PlatformCodeInfo]>;

/** The entry of a numeric code, with its name; undefined for a code the table does not hold. */
export function platformCode(code: unknown): (PlatformCodeInfo & { name: PlatformCodeName }) | undefined {
  const found = ENTRIES.find(([, info]) => info.code === code);
  return found && { name: found[0], ...found[1] };
}

function codesWhere(test: (info: PlatformCodeInfo) => boolean): ReadonlySet<number> {
  return new Set(ENTRIES.filter(([, info]) => test(info)).map(([, info]) => info.code));
}

/** The token codes (40 to 46). */
export const TOKEN_CODES: ReadonlySet<number> = codesWhere((i) => i.token);

/** The codes a fresh user token fixes: expired (40) and revoked (44). */
export const REFRESH_CODES: ReadonlySet<number> = codesWhere((i) => i.refresh);
