import { AbortError, ConnectionError, TimeoutError } from '../errors';
import type { ResponseContext } from '../http/response';
import type { HttpMethod } from '../schemas/endpoints';
import type { ResolvedUserClientOptions } from './options';

/** One request of a user's session. */
export interface AttemptInput {
  method: HttpMethod;
  /** The path with its id filled in, e.g. `/v1/users/alice`. */
  path: string;
  body?: unknown;
  /** The user's token, sent as `Authorization: Bearer`. */
  token?: string | undefined;
  /** The connection, sent as `X-Connection-Id` (docs/platform-api.md, "Client routes and connections"). */
  connectionId?: string | undefined;
  /** The session: it ends when the user is disconnected or replaced, and cancels the request. */
  session: SessionEnd;
}

/**
 * What a request needs of its session. Callbacks rather than an AbortSignal: hundreds of
 * concurrent requests would each add a listener to one signal (Node warns past ten, and raising
 * the limit needs node:events, which a browser has not).
 */
export interface SessionEnd {
  readonly ended: boolean;
  /** Calls `cb` once when the session ends; returns a function that unsubscribes. */
  onEnd(cb: () => void): () => void;
}

/** A response, read in full, with what the errors built from it need. */
export interface AttemptResult {
  res: Response;
  text: string;
  ctx: ResponseContext;
}

/** Why a request was cancelled when the session it belongs to ended. */
export function disconnectedError(what: string): AbortError {
  return new AbortError(`${what} was cancelled: the user was disconnected (disconnectUser(), or another user connected)`);
}

/**
 * Sends one request and reads its body. No retries here: the refresh flow in the client decides
 * what to send again. Fails with TimeoutError, AbortError (session ended) or ConnectionError.
 */
export async function sendAttempt(options: ResolvedUserClientOptions, input: AttemptInput): Promise<AttemptResult> {
  const what = `${input.method} ${input.path}`;
  if (input.session.ended) throw disconnectedError(what);
  const headers: Record<string, string> = { Accept: 'application/json', 'Api-Key': options.apiKey };
  if (input.token !== undefined) headers['Authorization'] = `Bearer ${input.token}`;
  if (input.connectionId !== undefined) headers['X-Connection-Id'] = input.connectionId;
  if (input.body !== undefined) headers['Content-Type'] = 'application/json';

  // One controller for both reasons to stop: the session ended, or the attempt took too long.
  // A plain setTimeout (not AbortSignal.timeout), so jest's fake timers drive it.
  const controller = new AbortController();
  let timedOut = false;
  // The race makes a stop effective even with a `fetch` that ignores its signal.
  let stop: (reason: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    stop = reject;
  });
  stopped.catch(() => undefined);
  const abort = (): void => {
    controller.abort();
    stop(new Error('stopped'));
  };
  const unsubscribe = input.session.onEnd(abort);
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, options.timeoutMs);
  try {
    const sent = options.fetch(options.baseUrl + input.path, {
      method: input.method,
      headers,
      body: input.body === undefined ? undefined : JSON.stringify(input.body),
      signal: controller.signal,
    });
    const res = await Promise.race([sent, stopped]);
    const text = await Promise.race([res.text(), stopped]);
    return { res, text, ctx: { method: input.method, path: input.path, headers } };
  } catch (err) {
    if (input.session.ended) throw disconnectedError(what);
    if (timedOut) throw new TimeoutError(`${what} took longer than ${options.timeoutMs} ms (timeoutMs)`, { cause: err });
    throw new ConnectionError(`Could not reach the platform (${what})`, { cause: err });
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
}
