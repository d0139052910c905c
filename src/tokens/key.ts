import type { KeyObject } from 'node:crypto';
import { ArgumentError } from '../errors';
import { type PreparedHmacKey, runtime } from '../runtime';

/**
 * What tokenkit takes as an app secret: the secret string, its bytes, a {@link SigningKey} made
 * from it, or (on Node) a secret `KeyObject`.
 *
 * @example
 * ```ts
 * import { type SecretInput, verifyUserToken } from 'tokenkit';
 * const secret: SecretInput = process.env.TOKENKIT_API_SECRET ?? 'dev-secret';
 * const claims = await verifyUserToken(client.generateUserToken({ user_id: 'alice' }), { secret });
 * ```
 */
export type SecretInput = string | Uint8Array | SigningKey | KeyObject;

let preparedOf: (key: SigningKey) => PreparedHmacKey;
let makeKey: (bytes: Uint8Array) => SigningKey;

const REDACTED = 'SigningKey [secret redacted]';

/**
 * An app secret prepared once for HMAC-SHA256 signing by the current runtime. Opaque: the secret
 * cannot be read back from it, and it never shows in `util.inspect`, `JSON.stringify`, `String()`
 * or an error. Make one per secret and reuse it: preparing the key is the costly part of a
 * signature with a string secret.
 *
 * @example
 * ```ts
 * import { ServerClient, SigningKey, verifyUserToken } from 'tokenkit';
 * const key = SigningKey.from(process.env.TOKENKIT_API_SECRET ?? 'dev-secret');
 * const token = new ServerClient({ apiKey: 'k', apiSecret: key }).generateUserToken({ user_id: 'alice' });
 * const claims = await verifyUserToken(token, { secret: key });
 * ```
 */
export class SigningKey {
  readonly #prepared: PreparedHmacKey;

  static {
    preparedOf = (key) => key.#prepared;
    makeKey = (bytes) => new SigningKey(runtime.prepareHmacKey(bytes));
  }

  private constructor(prepared: PreparedHmacKey) {
    this.#prepared = prepared;
  }

  /**
   * Prepares `secret` (a non-empty string, read as UTF-8, or non-empty bytes; on Node also a
   * secret `KeyObject`); a {@link SigningKey} is returned as it is.
   *
   * @throws {@link ArgumentError} naming `field` where `secret` is none of these.
   *
   * @example
   * ```ts
   * import { SigningKey } from 'tokenkit';
   * const fromText = SigningKey.from(secret);
   * const fromBytes = SigningKey.from(new TextEncoder().encode(secret)); // signs as fromText does
   * ```
   */
  static from(secret: SecretInput, field = 'secret'): SigningKey {
    return toSigningKey(secret, field);
  }

  /**
   * Never the secret.
   *
   * @example
   * ```ts
   * import { SigningKey } from 'tokenkit';
   * console.log(`${SigningKey.from(secret)}`); // SigningKey [secret redacted]
   * ```
   */
  toString(): string {
    return REDACTED;
  }

  /**
   * What `JSON.stringify` shows: never the secret.
   *
   * @example
   * ```ts
   * import { SigningKey } from 'tokenkit';
   * console.log(JSON.stringify({ key: SigningKey.from(secret) })); // {"key":"SigningKey [secret redacted]"}
   * ```
   */
  toJSON(): string {
    return REDACTED;
  }

  /**
   * What `util.inspect` and `console.log` show: never the secret.
   *
   * @example
   * ```ts
   * import { inspect } from 'node:util';
   * import { SigningKey } from 'tokenkit';
   * console.log(inspect(SigningKey.from(secret))); // SigningKey [secret redacted]
   * ```
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** The HMAC-SHA256 of `data` under `key`, base64url without padding. */
export function hmacBase64url(key: SigningKey, data: string): string {
  return runtime.hmacSha256Base64url(preparedOf(key), data);
}

/** What a secret must be, for messages. */
export const SECRET_EXPECTED = 'expected a non-empty string or a secret KeyObject';
const EXPECTED = SECRET_EXPECTED;

/**
 * Why `value` cannot be a secret, in words naming what was expected, or `undefined` where it can
 * (used by the options check, which raises a ConfigError rather than an ArgumentError).
 */
export function secretFault(value: unknown): string | undefined {
  if (value instanceof SigningKey) return undefined;
  if (typeof value === 'string') return value.length === 0 ? EXPECTED : undefined;
  if (value instanceof Uint8Array) return value.length === 0 ? 'expected non-empty bytes' : undefined;
  try {
    if (runtime.platformSecretBytes(value) !== undefined) return undefined;
  } catch (err) {
    // An asymmetric KeyObject: say which kind, never anything of the key itself.
    return `expected a secret KeyObject, got ${(err as Error).message}`;
  }
  return EXPECTED;
}

/**
 * Turns an app secret into a {@link SigningKey}, once: the runtime then skips the per-call key
 * import that makes string secrets ~70x slower on Node.
 */
export function toSigningKey(secret: unknown, field = 'apiSecret'): SigningKey {
  if (secret instanceof SigningKey) return secret;
  if (typeof secret === 'object' && secret !== null) {
    const prepared = fromObjects.get(secret);
    if (prepared !== undefined) return prepared;
  }
  const fault = secretFault(secret);
  if (fault !== undefined) {
    throw new ArgumentError(`Invalid ${field}: ${fault}`, [{ path: field, message: fault }]);
  }
  if (typeof secret === 'string') return makeKey(new TextEncoder().encode(secret));
  if (secret instanceof Uint8Array) return makeKey(secret.slice());
  // A platform key object (immutable) is prepared once: passing the same KeyObject on every
  // verifyUserToken call must not export and import it again each time.
  const key = makeKey(runtime.platformSecretBytes(secret)!);
  fromObjects.set(secret as object, key);
  return key;
}

/** The keys of platform key objects already prepared; weak, so a dropped KeyObject takes its key along. */
const fromObjects = new WeakMap<object, SigningKey>();

const CACHE_SIZE = 8;
/** The keys of the last string secrets verified with, newest last (see {@link signingKeyForString}). */
const recent = new Map<string, SigningKey>();

/**
 * The {@link SigningKey} of a string secret, prepared once and then reused: `verifyUserToken`
 * with a string secret would otherwise import the key on every call. A small bounded cache of the
 * last few secrets; the secrets are Map keys in module scope, never shown anywhere.
 */
export function signingKeyForString(secret: string, field: string): SigningKey {
  const cached = recent.get(secret);
  if (cached !== undefined) return cached;
  const key = toSigningKey(secret, field);
  if (recent.size >= CACHE_SIZE) recent.delete(recent.keys().next().value as string);
  recent.set(secret, key);
  return key;
}
