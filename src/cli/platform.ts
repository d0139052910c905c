import { ServerClient } from '../client';
import { ApiError, ConnectionError } from '../errors';
import { Transport } from '../http/transport';
import { resolveOptions } from '../options';
import { adminEndpoints } from '../schemas/endpoints';
import { SYSTEM_FIELDS } from '../schemas/users';
import { toSecretKey } from '../tokens/key';
import { isCredentialError } from './run';

/** How the CLI talks to the platform: retries and timeout per attempt. */
export interface PlatformOptions {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
}

const SKIP_ON_PUT = new Set<string>([...SYSTEM_FIELDS, 'role', 'revoke_tokens_issued_before']);

/**
 * The platform as the batch commands need it: a {@link ServerClient} for the ordinary calls, and
 * the writes of a batch run sent with an Idempotency-Key the run chose and recorded in its report
 * (write-ahead), so that a resumed run re-sends them with the same key and the platform replays
 * them. The SDK's public methods pick a fresh key per call, hence the transport here.
 */
export class Platform {
  readonly client: ServerClient;
  readonly #http: Transport;

  constructor(options: PlatformOptions) {
    const clientOptions = {
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      baseUrl: options.baseUrl,
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    this.client = new ServerClient(clientOptions);
    this.#http = new Transport(toSecretKey(options.apiSecret), resolveOptions(clientOptions));
  }

  /** Sets (or clears, with null) `revoke_tokens_issued_before` on up to 100 users in one request. */
  async setCutoffs(ids: string[], cutoff: Date | null, idempotencyKey: string): Promise<void> {
    await this.#http.call(adminEndpoints.updateUsersPartial, {
      body: { users: ids.map((id) => ({ id, set: { revoke_tokens_issued_before: cutoff } })) },
      idempotencyKey,
    });
  }

  /** Has the platform issue a token, through `POST .../token` or, in compatibility mode, the user-update `PUT`. */
  async issue(id: string, options: { expiresAtMs: number | undefined; compat: boolean }, idempotencyKey: string): Promise<{ token: string; expiresAtMs: number }> {
    if (!options.compat) {
      const body = options.expiresAtMs !== undefined ? { expires_at: options.expiresAtMs } : {};
      const res = await this.#http.call(adminEndpoints.issueToken, { params: { id }, body, idempotencyKey });
      return { token: res.token, expiresAtMs: res.expires_at };
    }
    // The PUT replaces name and custom fields: they are read first and sent back unchanged.
    const fields: Record<string, unknown> = {};
    try {
      const current = await this.#http.call(adminEndpoints.getUser, { params: { id } });
      for (const [k, v] of Object.entries(current.user)) if (!SKIP_ON_PUT.has(k)) fields[k] = v;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 16)) throw err;
    }
    const body = { ...fields, issue_session_token: true as const, ...(options.expiresAtMs !== undefined ? { session_token_expires_at: options.expiresAtMs } : {}) };
    const res = await this.#http.call(adminEndpoints.putUser, { params: { id }, body, idempotencyKey });
    const first = res.session_tokens[0];
    if (!first) throw new Error(`PUT /v1/users/${id} answered no session token`);
    return { token: first.session_token, expiresAtMs: first.expires_at };
  }
}

/** Errors that every further request would hit too: the run stops rather than fail every id. */
export function isFatal(err: unknown): boolean {
  return isCredentialError(err) || err instanceof ConnectionError;
}

/** A batch refused because of one of its users (all or nothing): splitting it finds which. */
export function refusedForAnItem(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 400);
}

/** An error as a report records it: code and message, nothing else (no headers, no stack). */
export function errorRecord(err: unknown): { code: number | string; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === 'string' || typeof code === 'number' ? code : err.name, message: err.message };
  }
  return { code: 'ERR_UNKNOWN', message: String(err) };
}
