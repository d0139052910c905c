import { AbortError } from '../errors';

/** The {@link AbortError} for a signal that fired, its reason as the cause. */
export function abortErrorFor(signal: AbortSignal, what: string): AbortError {
  return new AbortError(`${what} was aborted by the caller's signal`, { cause: signal.reason });
}

/**
 * Waits `ms`, or rejects with an {@link AbortError} as soon as `signal` fires (ky's cancellable
 * wait). Uses the global `setTimeout`, so jest's fake timers drive it.
 */
export function sleep(ms: number, signal?: AbortSignal, what = 'The wait before a retry'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortErrorFor(signal, what));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortErrorFor(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
