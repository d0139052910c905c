// Ending an attempt without an AbortSignal, where fetch is undici's (Node's own fetch).
//
// An AbortSignal given to fetch costs more than the rest of the SDK's work on a request: an
// AbortController to create, and undici's Request links itself to the signal (a listener, a
// WeakRef and a FinalizationRegistry entry, collected later; the listener stays on the signal until
// then, so a signal shared by many requests, a bulk run's, piles them up). undici offers another handle on a
// request: the dispatcher it is sent through calls the request's handler with `onConnect(abort)`
// once the request has a connection, and `abort(reason)` ends it (the socket is destroyed, fetch
// or the body's reading rejects). An attempt's dispatcher is a thin wrapper around the real one
// (the client's `dispatcher`, else undici's global one) that keeps that `abort`, so that the
// attempt's timer, and the caller's signal through a listener of the attempt's own, can end the
// request: fetch gets no signal, and no controller is made.
//
// A fetch that is not undici's (nock's, a mock, Bun's, Deno's, workerd's) ignores the dispatcher.
// The transport therefore only uses this where it has seen the fetch function at hand call the
// wrapper (see `Transport`), and the attempt still ends on time where it was not called (the
// request is then left to finish; see `DispatchAbort.abort`).

/** undici's dispatcher interface, as much of it as is used here. */
interface Dispatcher {
  dispatch(options: object, handler: LegacyHandler): boolean;
}

/** undici's request handler, in the callback form every undici fetch uses (6.x and 7.x). */
interface LegacyHandler {
  onConnect(abort: (reason?: Error) => void, context?: unknown): void;
  onHeaders(status: number, headers: unknown, resume: () => void, statusText?: string): boolean;
  onData(chunk: unknown): boolean;
  onComplete(trailers: unknown): void;
  onError(err: Error): void;
  onUpgrade?(status: number, headers: unknown, socket: unknown): void;
  onResponseStarted?(): void;
  onBodySent?(chunk: unknown): void;
  onRequestSent?(): void;
  onRequestStart?: unknown;
}

/** Whether `value` can be dispatched through (an undici `Dispatcher`, or anything with its `dispatch`). */
export function isDispatcher(value: unknown): value is Dispatcher {
  return typeof (value as { dispatch?: unknown } | null | undefined)?.dispatch === 'function';
}

/**
 * The `dispatcher` of one attempt: sends through `inner` and keeps the request's `abort`.
 * `dispatched` says whether fetch went through it with a handler whose `abort` it could keep (a
 * handler of undici's newer controller form is passed through as it is, and does not count).
 */
export class DispatchAbort {
  readonly #inner: Dispatcher;
  #abort: ((reason?: Error) => void) | undefined;
  #reason: Error | undefined;
  dispatched = false;

  constructor(inner: Dispatcher) {
    this.#inner = inner;
  }

  dispatch(options: object, handler: LegacyHandler): boolean {
    if (typeof handler.onRequestStart === 'function') return this.#inner.dispatch(options, handler);
    this.dispatched = true;
    return this.#inner.dispatch(options, new KeepAbort(handler, this));
  }

  /** Called by the handler once the request has a connection: ends it at once if the attempt is already over. */
  connected(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    if (this.#reason !== undefined) abort(this.#reason);
  }

  /**
   * Ends the request with `reason`: now if it has a connection, else as soon as it gets one (a
   * request still waiting for a socket, or being connected). The caller does not wait for either.
   */
  abort(reason: Error): void {
    this.#reason = reason;
    try {
      this.#abort?.(reason);
    } catch {
      // Called from the attempt's timer, where a throw would end the process: the attempt has
      // ended anyway; undici ends the request when its connection ends.
    }
  }
}

/** Forwards every callback to fetch's handler, keeping the `abort` of `onConnect` on the way. */
class KeepAbort implements LegacyHandler {
  readonly #handler: LegacyHandler;
  readonly #owner: DispatchAbort;

  constructor(handler: LegacyHandler, owner: DispatchAbort) {
    this.#handler = handler;
    this.#owner = owner;
  }

  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    this.#handler.onConnect(abort, context);
    this.#owner.connected(abort);
  }
  onHeaders(status: number, headers: unknown, resume: () => void, statusText?: string): boolean {
    return this.#handler.onHeaders(status, headers, resume, statusText);
  }
  onData(chunk: unknown): boolean {
    return this.#handler.onData(chunk);
  }
  onComplete(trailers: unknown): void {
    this.#handler.onComplete(trailers);
  }
  onError(err: Error): void {
    this.#handler.onError(err);
  }
  onUpgrade(status: number, headers: unknown, socket: unknown): void {
    this.#handler.onUpgrade?.(status, headers, socket);
  }
  onResponseStarted(): void {
    this.#handler.onResponseStarted?.();
  }
  onBodySent(chunk: unknown): void {
    this.#handler.onBodySent?.(chunk);
  }
  onRequestSent(): void {
    this.#handler.onRequestSent?.();
  }
}
