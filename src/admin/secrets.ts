import { ArgumentError } from '../errors';
import { type RequestOptions, type Transport, type WriteOptions, validateRequestOptions, validateWriteOptions } from '../http/transport';
import { adminEndpoints } from '../schemas/endpoints';
import { type SecretInfo, kidSchema } from '../schemas/secrets';

/**
 * A secret the platform just added (`client.addSecret()`): its `kid` and its value, shown this
 * once. The value is readable as `secret` (and by destructuring) but stays out of
 * `JSON.stringify`, `util.inspect` and `console.log`, so logging the result does not leak it.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import type { AddedSecret } from 'tokenkit';
 * const added: AddedSecret = await client.addSecret();
 * writeFileSync('new-secret.txt', added.secret + '\n', { mode: 0o600 }); // to your secret store
 * console.log(added); // AddedSecret { kid: "sec_...", state: "active" }: no value
 * ```
 */
export class AddedSecret {
  /** The new secret's id: put it in every backend's keyring with the value. */
  readonly kid: string;
  /** `active`: it verifies tokens at once; promote it to sign what the platform issues. */
  readonly state: SecretInfo['state'];
  /** When the platform added it. */
  readonly createdAt: Date;
  readonly #secret: string;

  /** @internal Made by `client.addSecret()`. */
  constructor(kid: string, secret: string, state: SecretInfo['state'], createdAt: Date) {
    this.kid = kid;
    this.state = state;
    this.createdAt = createdAt;
    this.#secret = secret;
  }

  /**
   * The secret's value. The platform shows it once: store it now (a secret store, a `0600` file).
   *
   * @example
   * ```ts
   * const added = await client.addSecret();
   * const keyring = [{ kid: added.kid, secret: added.secret }, { kid: 'initial', secret: apiSecret }];
   * console.log(keyring.length); // 2
   * ```
   */
  get secret(): string {
    return this.#secret;
  }

  /**
   * What `JSON.stringify` shows: never the value.
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(await client.addSecret())); // {"kid":"sec_...","state":"active","createdAt":"..."}
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { kid: this.kid, state: this.state, createdAt: this.createdAt.toISOString() };
  }

  /**
   * What `util.inspect` and `console.log` show: never the value.
   *
   * @example
   * ```ts
   * import { inspect } from 'node:util';
   * console.log(inspect(await client.addSecret())); // AddedSecret { kid: "sec_...", state: "active" }
   * ```
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AddedSecret { kid: ${JSON.stringify(this.kid)}, state: ${JSON.stringify(this.state)} }`;
  }
}

/** A kid for a path, checked before any request; an {@link ArgumentError} names `kid`. */
export function validateKid(kid: unknown): string {
  const parsed = kidSchema.safeParse(kid);
  if (!parsed.success) throw ArgumentError.fromZod('kid', parsed.error, 'kid');
  return parsed.data;
}

/** `GET /v1/app/secrets`: every secret's kid, state and dates, oldest first. */
export async function listSecrets(http: Transport, options?: RequestOptions): Promise<SecretInfo[]> {
  const res = await http.call(adminEndpoints.listSecrets, validateRequestOptions(options, 'listSecrets options'));
  return res.secrets;
}

/** `POST /v1/app/secrets`: a new `active` secret and its value. */
export async function addSecret(http: Transport, options?: WriteOptions): Promise<AddedSecret> {
  const { idempotencyKey, ...request } = validateWriteOptions(options, 'addSecret options');
  // A body ({}), so the request carries an Idempotency-Key: a retry after a lost answer gets the
  // same secret back instead of adding a second one.
  const prepared = http.prepare(adminEndpoints.addSecret, { body: {}, idempotencyKey });
  const { secret } = await http.send(prepared, request);
  return new AddedSecret(secret.kid, secret.value, secret.state, secret.created_at);
}

/** `POST /v1/app/secrets/promote` or `.../retire` with `{ kid }`: every secret after the change. */
export async function changeSecret(http: Transport, change: 'promote' | 'retire', kid: string, options?: WriteOptions): Promise<SecretInfo[]> {
  const what = change === 'promote' ? 'promoteSecret' : 'retireSecret';
  const id = validateKid(kid);
  const { idempotencyKey, ...request } = validateWriteOptions(options, `${what} options`);
  const endpoint = change === 'promote' ? adminEndpoints.promoteSecret : adminEndpoints.retireSecret;
  const prepared = http.prepare(endpoint, { body: { kid: id }, idempotencyKey }, `${what} kid`);
  const res = await http.send(prepared, request);
  return res.secrets;
}
