import { validateCutoff, writeUserCutoffs } from '../admin/users';
import { ServerClient, clientInternals } from '../server-client';
import { ApiError, ConnectionError } from '../errors';
import type { RequestLogRecord } from '../options';
import { isCredentialError } from './run';
import type { CliSecret } from './config';

/** How the CLI talks to the platform: retries and timeout per attempt. */
export interface PlatformOptions {
  apiKey: string;
  apiSecret: CliSecret;
  baseUrl: string;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * The platform as the batch commands need it: a {@link ServerClient} with the run's retries and
 * timeout. A batch run's writes go through its methods with the `idempotencyKey` the run chose
 * and recorded in its report (write-ahead), so a resumed run re-sends them with the same key and
 * the same bytes, and the platform replays what it applied. Cutoffs go through
 * {@link Platform.setCutoffs}: the checks and bytes of `revokeUserTokens` and `restoreUserTokens`,
 * without decoding the users of the answers, which a run does not use.
 */
export class Platform {
  readonly client: ServerClient;
  /** Told of every attempt that failed and will be retried (the progress shows it). */
  onRetry: ((note: string) => void) | undefined;

  constructor(options: PlatformOptions) {
    this.client = new ServerClient({
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      baseUrl: options.baseUrl,
      logger: (r) => {
        if (r.retryInMs !== undefined) this.onRetry?.(retryNote(r));
      },
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /**
   * Sets `cutoff` on each user (`null`: restores them), one `PATCH /v1/users` of at most 100 ids,
   * with `idempotencyKey`: what `client.revokeUserTokens(ids, cutoff, { idempotencyKey })` (or
   * `restoreUserTokens`) sends, and the clock notes each cutoff answered; only the cutoffs of the
   * answer are read. The ids are checked by {@link writeUserCutoffs} (an invalid or repeated id is
   * refused before anything is sent, naming its entry: `users.1.id`), unless `checked` says the run
   * has checked them already (lines it read and took into a batch itself).
   */
  async setCutoffs(ids: string[], cutoff: Date | null, idempotencyKey: string, checked = false): Promise<void> {
    const what = cutoff === null ? 'restoreUserTokens' : 'revokeUserTokens';
    const { http, clock } = clientInternals(this.client);
    await writeUserCutoffs(http, clock, { ids, cutoff: cutoff === null ? null : validateCutoff(cutoff, 'before'), options: { idempotencyKey }, what, checked });
  }
}

/** "platform unreachable: attempt 3 of 7, next in 2 s": what a retried attempt met, and when the next comes. */
export function retryNote(r: RequestLogRecord): string {
  const what =
    r.error === 'ConnectionError'
      ? 'platform unreachable'
      : r.error === 'TimeoutError'
        ? 'platform did not answer in time'
        : r.status === 429
          ? 'rate limited (429)'
          : `platform answered ${r.status ?? r.error ?? 'an error'}`;
  const ms = r.retryInMs ?? 0;
  const wait = ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
  return `${what}: attempt ${r.attempt} of ${r.maxAttempts ?? '?'}, next in ${wait} s`;
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
