import type { ServerClient, ServerClientOptions, UserInput } from 'tokenkit';
import { type Emulator, type EmulatorOptions, startEmulator } from 'tokenkit/emulator';
import { serverClientFor } from './clients';

/**
 * The jest hooks of an admin test file: an emulator and its ServerClient, started before the
 * file's tests and closed after them, with `users` created. With `resetEachTest`, the emulator is
 * reset and `users` created again before each test. `onStart` receives both, once.
 */
export function useAdminEmulator(users: UserInput[], onStart: (emulator: Emulator, client: ServerClient) => void, options: { resetEachTest?: boolean } = {}): void {
  let started: { emulator: Emulator; client: ServerClient } | undefined;
  beforeAll(async () => {
    started = await setup();
    onStart(started.emulator, started.client);
    if (!options.resetEachTest) await started.client.upsertUsers(users);
  });
  if (options.resetEachTest) {
    beforeEach(async () => {
      await started?.emulator.reset();
      await started?.client.upsertUsers(users);
    });
  }
  afterAll(() => started?.emulator.close());
}

/** An emulator on 127.0.0.1 (port 0) and a ServerClient for it. */
export async function setup(emulatorOptions: EmulatorOptions = {}, clientOptions: ServerClientOptions = {}): Promise<{ emulator: Emulator; client: ServerClient }> {
  const emulator = await startEmulator(emulatorOptions);
  const client = serverClientFor(emulator, clientOptions);
  return { emulator, client };
}

/** What the platform said to a user's connect: 200 with the auth kind, or the error code. */
export interface ConnectOutcome {
  status: number;
  code?: number;
  auth?: string;
}

/**
 * A user's `POST /v1/connect` with `token`, over real HTTP: the platform's own check of the token
 * (revocation included), independent of the SDK's admin code.
 */
export async function connectWithToken(emulator: Emulator, token: string, userId?: string): Promise<ConnectOutcome> {
  const res = await fetch(`${emulator.url}/v1/connect`, {
    method: 'POST',
    headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(userId === undefined ? {} : { user_id: userId }),
  });
  const body = (await res.json()) as { code?: number; auth?: string };
  return res.ok ? { status: res.status, auth: body.auth ?? '' } : { status: res.status, code: body.code ?? 0 };
}

/** Spins (bounded, at most a few ms) until the clock has left the millisecond `ms`. */
export function nextMillisecond(ms = Date.now()): number {
  let now = Date.now();
  for (let i = 0; i < 1_000_000 && now <= ms; i++) now = Date.now();
  return now;
}

/** The `iat` of a JWT in ms (rounded, as the platform compares), or undefined. */
export function iatMs(token: string): number | undefined {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iat?: number };
  return payload.iat === undefined ? undefined : Math.round(payload.iat * 1000);
}
