import { ServerClient } from '../server-client';
import { ApiError, ConnectionError } from '../errors';
import { isCredentialError } from './run';

/** How the CLI talks to the platform: retries and timeout per attempt. */
export interface PlatformOptions {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * The platform as the batch commands need it: a {@link ServerClient} with the run's retries and
 * timeout. A batch run's writes go through its public methods with the `idempotencyKey` the run
 * chose and recorded in its report (write-ahead), so a resumed run re-sends them with the same
 * key and the same bytes, and the platform replays what it applied.
 */
export class Platform {
  readonly client: ServerClient;

  constructor(options: PlatformOptions) {
    this.client = new ServerClient({
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      baseUrl: options.baseUrl,
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
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
