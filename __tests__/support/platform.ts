import type { ServerClient } from 'tokenkit';
import { ApiError, type UserClient, type UserClientOptions } from 'tokenkit/client';
import { type Emulator, type EmulatorOptions, startEmulator } from 'tokenkit/emulator';
import { serverClientFor, userClientFor } from './clients';

/** An emulator, an admin client for it and a factory of user clients. */
export interface Platform {
  emulator: Emulator;
  server: ServerClient;
  chat: (options?: Omit<UserClientOptions, 'apiKey' | 'baseUrl'>) => UserClient;
  close: () => Promise<void>;
}

export async function startPlatform(options: EmulatorOptions = {}): Promise<Platform> {
  const emulator = await startEmulator(options);
  const server = serverClientFor(emulator, { maxRetries: 0 });
  return {
    emulator,
    server,
    chat: (o = {}) => userClientFor(emulator, o),
    close: () => emulator.close(),
  };
}

/** The error a promise rejects with (fails the test where it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}

/** Asserts an ApiError with this code and returns it. */
export async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(code);
  return err as ApiError;
}

/** One request a UserClient sent, as the test's fetch saw it. */
export interface Sent {
  method: string;
  path: string;
  /** The bearer token, where one was sent. */
  token: string | undefined;
  connectionId: string | undefined;
}

/** A fetch that records each request, then sends it for real. */
export function recordingFetch(): { fetch: (input: string | URL, init?: RequestInit) => Promise<Response>; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      const auth = headers.get('authorization');
      sent.push({
        method: init?.method ?? 'GET',
        path: new URL(String(input)).pathname,
        token: auth?.startsWith('Bearer ') ? auth.slice(7) : undefined,
        connectionId: headers.get('x-connection-id') ?? undefined,
      });
      return fetch(input, init);
    },
  };
}

/** A door a test opens by hand: `wait()` resolves once `open()` was called. */
export function door(): { wait: () => Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait: () => opened, open: () => open() };
}

/** Resolves when `count()` reaches `n`, checking every 2 ms; fails after `limit` checks (10 s). */
export async function waitForCount(count: () => number, n: number, limit = 5_000): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    if (count() >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`gave up waiting for ${n} (at ${count()})`);
}
