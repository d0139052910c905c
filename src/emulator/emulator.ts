import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { z } from 'zod';
import { type User, userSchema } from '../schemas/users';
import { mintServerToken, mintUserToken } from '../tokens/mint';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from '../tokens/verify';
import { type Clock, systemClock } from './clock';
import { DASHBOARD_PATH, Dashboard } from './dashboard';
import { isLoopbackAddress } from './dashboard/security';
import { ConfigError } from '../errors';
import { FaultInjector, RateLimiter } from './faults';
import { DEFAULT_IDEMPOTENCY_BYTES, IdempotencyStore } from './idempotency';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IDEMPOTENCY_KEYS, DEFAULT_MAX_WRITES, type EmulatorOptions, validateEmulatorOptions } from './options';
import { loadDataFile, saveDataFile } from './persist';
import { answerClientError, createRequestHandler } from './server';
import type { TestControls } from './routes/test-routes';
import { type SecretInfo } from '../schemas/secrets';
import { AppSecrets } from './secrets';
import { type AppSettings, EmulatorState, defaultApp } from './state';
import { type WriteFilter, type WriteRecord, WriteLog } from './writes';

/**
 * Counts of what the emulator holds, for tests that check its memory stays bounded.
 *
 * @example
 * ```ts
 * import type { EmulatorStats } from 'tokenkit/emulator';
 * const stats: EmulatorStats = emulator.stats();
 * console.log(stats.users, stats.connections); // 2 0
 * ```
 */
export interface EmulatorStats {
  /** Users stored. */
  users: number;
  /** Open connections (from `POST /v1/connect`). */
  connections: number;
  /** Connections dropped to stay under `maxConnections`. */
  connectionsEvicted: number;
  /** `Idempotency-Key` answers kept for replay. */
  idempotencyKeys: number;
  /** Bytes of those answers (bodies, keys, fingerprints), at most `maxIdempotencyBytes`. */
  idempotencyBytes: number;
  /** Answers dropped before their 10 minutes were up, to stay under `maxIdempotencyKeys` or `maxIdempotencyBytes`. */
  idempotencyEvicted: number;
  /** Legacy session tokens stored (their hashes). */
  sessionTokens: number;
}

/**
 * A running emulator, from {@link startEmulator}. The secret is held privately: it does not show
 * in `util.inspect(emulator)` or `JSON.stringify(emulator)`; read it with `emulator.apiSecret`.
 *
 * @example
 * ```ts
 * import { startEmulator } from 'tokenkit/emulator';
 * const emulator = await startEmulator();
 * const res = await fetch(`${emulator.url}/v1/app`, {
 *   headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${emulator.serverToken()}` },
 * });
 * console.log(res.status); // 200
 * await emulator.close();
 * ```
 */
export class Emulator {
  /** The base URL, e.g. `http://127.0.0.1:41235` (routes are under `/v1`). */
  readonly url: string;
  /** The address it listens on, e.g. `127.0.0.1`. */
  readonly host: string;
  /** The port it listens on (the one picked, where the option was 0). */
  readonly port: number;
  /** The app's API key (the `Api-Key` header). */
  readonly apiKey: string;
  /** The emulator's clock. */
  readonly clock: Clock;
  /** Fault injection: `set(plan)`, `clear()`, `stats()`. */
  readonly faults: FaultInjector;
  /** The per-route rate limit: `set(config)`, `clear()`. */
  readonly rateLimit: RateLimiter;
  /**
   * The dashboard's address (`${url}/_dashboard/`) where `startEmulator({ dashboard: true })`
   * turned it on, else undefined. Open it in a browser on the same machine.
   */
  readonly dashboardUrl: string | undefined;
  readonly #server: Server;
  readonly #state: EmulatorState;
  readonly #writes: WriteLog;
  readonly #idempotency: IdempotencyStore;
  readonly #options: EmulatorOptions;
  readonly #startSecrets: AppSecrets;
  #closed: Promise<void> | undefined;

  /** @internal Use {@link startEmulator}. */
  constructor(init: {
    options: EmulatorOptions;
    apiKey: string;
    clock: Clock;
    server: Server;
    state: EmulatorState;
    writes: WriteLog;
    idempotency: IdempotencyStore;
    faults: FaultInjector;
    rateLimit: RateLimiter;
    dashboard: boolean;
  }) {
    const address = init.server.address() as AddressInfo;
    this.host = address.address;
    this.port = address.port;
    this.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    this.apiKey = init.apiKey;
    this.clock = init.clock;
    this.faults = init.faults;
    this.rateLimit = init.rateLimit;
    this.dashboardUrl = init.dashboard ? `${this.url}${DASHBOARD_PATH}` : undefined;
    this.#server = init.server;
    this.#state = init.state;
    this.#writes = init.writes;
    this.#idempotency = init.idempotency;
    this.#options = init.options;
    this.#startSecrets = init.state.secrets.clone();
  }

  /**
   * The app's primary secret (to give to a `ServerClient`): the `apiSecret` option, or a random
   * one, until another secret is promoted (docs/secret-rotation.md).
   *
   * @example
   * ```ts
   * import { ServerClient } from 'tokenkit';
   * const backend = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
   * ```
   */
  get apiSecret(): string {
    // The primary always has its value: only a retired secret may lack one (persist.ts).
    return this.#state.secrets.primary.value ?? '';
  }

  /**
   * The app's secrets: kid, state and dates, oldest first; never a value (`GET /v1/app/secrets`).
   *
   * @example
   * ```ts
   * console.log(emulator.secrets().map((s) => `${s.kid}:${s.state}`)); // [ 'initial:primary' ]
   * ```
   */
  secrets(): SecretInfo[] {
    return this.#state.secrets.list();
  }

  /**
   * The applied writes, oldest first, filtered by user, route (`"METHOD /path"`) or field. Replays are not writes.
   *
   * @example
   * ```ts
   * await client.revokeUserTokens('alice');
   * const writes = emulator.writes({ userId: 'alice', field: 'revoke_tokens_issued_before' });
   * console.log(writes.length, writes[0]?.route); // 1 PATCH /v1/users
   * ```
   */
  writes(filter: WriteFilter = {}): WriteRecord[] {
    return this.#writes.list(filter);
  }

  /**
   * A copy of a user as stored, or undefined.
   *
   * @example
   * ```ts
   * await client.revokeUserTokens('alice');
   * console.log(emulator.user('alice')?.revoke_tokens_issued_before instanceof Date); // true
   * ```
   */
  user(id: string): User | undefined {
    // The store builds a new object on every call, with new Dates of this realm (structuredClone's
    // would come from another realm under jest), its fields in the schema's order. A "__proto__"
    // field, which the schema's copy leaves out, goes through the wire shape as before.
    const u = this.#state.users.get(id);
    if (u === undefined || !Object.prototype.hasOwnProperty.call(u, '__proto__')) return u;
    return z.decode(userSchema, z.encode(userSchema, u));
  }

  /**
   * A copy of the app settings.
   *
   * @example
   * ```ts
   * await client.updateApp({ access_token_permission: 'read_only' });
   * console.log(emulator.app().access_token_permission); // read_only
   * ```
   */
  app(): AppSettings {
    const app = this.#state.app;
    const cutoff = app.revoke_tokens_issued_before;
    return { ...app, revoke_tokens_issued_before: cutoff ? new Date(cutoff.getTime()) : null };
  }

  /**
   * Counts of users, connections, idempotency answers and session tokens held.
   *
   * @example
   * ```ts
   * await chat.connectUser({ id: 'alice' }, token);
   * console.log(emulator.stats().connections); // 1
   * ```
   */
  stats(): EmulatorStats {
    return {
      users: this.#state.users.size,
      connections: this.#state.connections.size,
      connectionsEvicted: this.#state.connections.evicted,
      idempotencyKeys: this.#idempotency.size,
      idempotencyBytes: this.#idempotency.bytes,
      idempotencyEvicted: this.#idempotency.evicted,
      sessionTokens: this.#state.sessions.size,
    };
  }

  /**
   * A server token for the admin routes, minted with this emulator's secret and clock.
   *
   * @example
   * ```ts
   * const res = await fetch(`${emulator.url}/v1/users/alice`, {
   *   headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${emulator.serverToken()}` },
   * });
   * console.log(res.status); // 200
   * ```
   */
  serverToken(ttlSeconds?: number): string {
    return mintServerToken(this.#state.secrets.keyring, this.clock.now(), ttlSeconds);
  }

  /**
   * A user token (`{ ...claims, user_id, iat, exp }`), minted with this emulator's secret and clock.
   *
   * @example
   * ```ts
   * import { createManualClock, startEmulator } from 'tokenkit/emulator';
   * const clock = createManualClock(Date.now());
   * const platform = await startEmulator({ clock });
   * const minted = platform.userToken('alice', { validityInSeconds: 60 }); // on the emulator's clock
   * clock.advance(61_000); // now expired for the platform
   * await platform.close();
   * ```
   */
  userToken(userId: string, options: { validityInSeconds?: number; claims?: Record<string, unknown> } = {}): string {
    // Stamped by the platform's issuer clock, like the tokens the platform issues.
    return mintUserToken(
      this.#state.secrets.keyring,
      { user_id: userId, validity_in_seconds: options.validityInSeconds, claims: options.claims },
      this.#state.issuer.mintNow(),
    );
  }

  /**
   * Forgets every user, session token, connection, idempotency answer and write, clears faults
   * and the rate limit, sets the app back to the defaults (with the `app` option applied) and its
   * secrets back to those it started with. With a data file, the empty state is written to it.
   *
   * @example
   * ```ts
   * await emulator.reset();
   * console.log(emulator.stats().users, emulator.app().access_token_permission); // 0 read_write
   * ```
   */
  async reset(): Promise<void> {
    this.#state.clear({ ...defaultApp(), ...this.#options.app });
    this.#state.secrets = this.#startSecrets.clone();
    this.#writes.clear();
    this.#idempotency.clear();
    this.faults.clear();
    this.rateLimit.clear();
    this.#persist();
  }

  /**
   * Stops listening and closes every connection. Safe to call twice.
   *
   * @example
   * ```ts
   * import { startEmulator } from 'tokenkit/emulator';
   * const platform = await startEmulator();
   * try {
   *   // ... the test ...
   * } finally {
   *   await platform.close(); // safe to call twice
   * }
   * ```
   */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve, reject) => {
      this.#server.close((err) => (err ? reject(err) : resolve()));
      this.#server.closeAllConnections();
    });
    return this.#closed;
  }

  #persist(): void {
    if (this.#options.dataFile !== undefined) saveDataFile(this.#options.dataFile, this.#state);
    this.#state.dirty = false;
  }

  /**
   * What `JSON.stringify(emulator)` shows: never the secret.
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(emulator)); // {"url":"http://127.0.0.1:...","apiKey":"emu_..."}: no secret
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { url: this.url, apiKey: this.apiKey };
  }

  /**
   * What `util.inspect(emulator)` shows: never the secret.
   *
   * @example
   * ```ts
   * import { inspect } from 'node:util';
   * console.log(inspect(emulator)); // Emulator { url: "http://127.0.0.1:...", apiKey: "emu_..." }: no secret
   * ```
   */
  [inspect.custom](): string {
    return `Emulator { url: ${JSON.stringify(this.url)}, apiKey: ${JSON.stringify(this.apiKey)} }`;
  }
}

/**
 * Starts a platform emulator: a real HTTP server implementing the whole contract, on
 * `127.0.0.1` and a free port unless told otherwise. Resolves once it listens.
 * Rejects with a `ConfigError` for bad options, or with the listen error.
 *
 * @example
 * ```ts
 * import { ServerClient } from 'tokenkit';
 * import { startEmulator } from 'tokenkit/emulator';
 * const emulator = await startEmulator();
 * const client = new ServerClient({ apiKey: emulator.apiKey, apiSecret: emulator.apiSecret, baseUrl: emulator.url });
 * console.log(client.baseUrl);
 * await emulator.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const o = validateEmulatorOptions(options);
  const secret = o.apiSecret ?? randomBytes(32).toString('hex');
  const apiKey = o.apiKey ?? `emu_${randomBytes(8).toString('hex')}`;
  const clock = o.clock ?? systemClock;
  const state = new EmulatorState(o.maxConnections ?? DEFAULT_MAX_CONNECTIONS, () => clock.now());
  state.secrets = AppSecrets.initial(secret, o.apiSecret === undefined, clock.now());
  if (o.dataFile !== undefined) loadDataFile(o.dataFile, state, o.apiSecret);
  if (o.app) state.setApp({ ...state.app, ...o.app });
  const writes = new WriteLog(o.maxWrites ?? DEFAULT_MAX_WRITES);
  const idempotency = new IdempotencyStore(o.maxIdempotencyKeys ?? DEFAULT_MAX_IDEMPOTENCY_KEYS, o.maxIdempotencyBytes ?? DEFAULT_IDEMPOTENCY_BYTES);
  const faults = new FaultInjector();
  if (o.faults) faults.set(o.faults);
  const rateLimit = new RateLimiter();
  if (o.rateLimit) rateLimit.set(o.rateLimit);
  if (o.dashboard && !isLoopbackAddress(o.host ?? '127.0.0.1')) {
    throw new ConfigError(
      `Invalid emulator options:\n  - dashboard: the dashboard is served on loopback only, and host is "${o.host}": use host 127.0.0.1 (the default), or leave dashboard off`,
      [{ path: 'dashboard', message: 'needs a loopback host (127.0.0.1, ::1 or localhost)' }],
    );
  }
  const toleranceSeconds = o.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const controls: TestControls = {
    faults,
    rateLimit,
    writes: (filter) => writes.list(filter),
    reset: () => void emulator?.reset(),
  };
  const dashboard = o.dashboard ? new Dashboard(state) : undefined;

  // `reset` is reached through the handle, which exists only once the server listens.
  let emulator: Emulator | undefined;
  const server = createServer(
    createRequestHandler({
      apiKey,
      clock,
      toleranceSeconds,
      state,
      faults,
      rateLimit,
      idempotency,
      writes,
      controls,
      dataFile: o.dataFile,
      logger: o.logger,
      dashboard,
      corsOrigins: o.corsOrigins ?? [],
    }),
  );
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  emulator = new Emulator({ options: o, apiKey, clock, server, state, writes, idempotency, faults, rateLimit, dashboard: dashboard !== undefined });
  if (state.dirty && o.dataFile !== undefined) saveDataFile(o.dataFile, state);
  state.dirty = false;
  return emulator;
}
