import { ArgumentError, TokenError } from '../errors';
import { runtime } from '../runtime';
import { KID_PATTERN, MAX_APP_SECRETS, type SecretState } from '../schemas/secrets';
import { HS256_HEADER, hs256Verify, signHS256 } from './jws';
import { type SecretInput, type SigningKey, hmacBase64url, secretFault, toSigningKey } from './key';

// The kid rule (docs/platform-api.md, "App secrets and rotation"), in one place: the SDK's keyring
// and the emulator's app secrets are both a Keyring, so a backend and the platform cannot disagree
// on which secret checks a token, and minting, verification and the emulator all ask it. No secret leaves it: it shows kids only.

/**
 * One entry of a keyring given as `apiSecret` (or as `verifyUserToken`'s `secret`): the secret's
 * id, as the platform names it, and the secret.
 *
 * @example
 * ```ts
 * import { type KeyringEntry, ServerClient } from 'tokenkit';
 * const keyring: KeyringEntry[] = [{ kid: 'initial', secret: apiSecret }];
 * const rotating = new ServerClient({ apiKey, apiSecret: keyring, baseUrl });
 * console.log(rotating.generateUserToken({ user_id: 'alice' }).split('.').length); // 3
 * ```
 */
export interface KeyringEntry {
  /** The secret's id (`kid`): 1 to 64 characters from `[A-Za-z0-9._-]`, as `listSecrets()` shows it. */
  kid: string;
  /** The secret: a string, its bytes, a `SigningKey` (or, on Node, a secret `KeyObject`). */
  secret: SecretInput;
}

/**
 * One key a token may be checked with: its id, its state and the key (none for a retired secret
 * whose value is no longer known: its kid is still refused with 44).
 */
export interface KeyEntry {
  readonly kid: string;
  readonly state: SecretState;
  readonly key: SigningKey | undefined;
}

/** What the errors call the token: `token` or `server token`. */
export type TokenWhat = 'token' | 'server token';

function shown(kid: string): string {
  return JSON.stringify(kid.length > 64 ? `${kid.slice(0, 64)}...` : kid);
}

function signedWith(e: KeyEntry, signingInput: string, signature: string): boolean {
  return e.key !== undefined && hs256Verify(e.key, signingInput, signature);
}

function retiredError(what: TokenWhat, kid: string): TokenError {
  return new TokenError(44, `${what} revoked: signed with the retired secret ${shown(kid)} (get a new one, signed with the primary secret)`);
}

/**
 * Secrets by kid, one of them primary: the primary signs (stamping its kid in the header), and
 * every secret that is not retired verifies, by the kid rule ({@link Keyring.verify}).
 */
export class Keyring {
  readonly #entries: readonly KeyEntry[];
  readonly #signer: { kid: string; key: SigningKey; headerB64: string };
  /** The encoded header of each kid's own tokens: a token with one of these is not decoded again. */
  readonly #headers = new Map<string, string>();

  /** @param entries - exactly one `primary`, with its key; kids unique. */
  constructor(entries: readonly KeyEntry[]) {
    const primaries = entries.filter((e) => e.state === 'primary');
    const primary = primaries[0];
    if (primaries.length !== 1 || primary?.key === undefined) throw new Error('a keyring needs exactly one primary secret, with its key');
    this.#entries = entries;
    for (const e of entries) this.#headers.set(runtime.base64urlEncodeText(JSON.stringify({ ...HS256_HEADER, kid: e.kid })), e.kid);
    this.#signer = { kid: primary.kid, key: primary.key, headerB64: runtime.base64urlEncodeText(JSON.stringify({ ...HS256_HEADER, kid: primary.kid })) };
  }

  /** The kid of the secret that signs. */
  get signingKid(): string {
    return this.#signer.kid;
  }

  /** The kids, in order (for messages: never a secret). */
  get kids(): string[] {
    return this.#entries.map((e) => e.kid);
  }

  /** Signs `payload` as a compact HS256 JWS whose header names the signing secret's kid. */
  sign(payload: Record<string, unknown>): string {
    const input = this.#signer.headerB64 + '.' + runtime.base64urlEncodeText(JSON.stringify(payload));
    return input + '.' + hmacBase64url(this.#signer.key, input);
  }

  /** The kid of a header this keyring writes (`{"alg":"HS256","typ":"JWT","kid":...}`), else undefined. */
  kidOfHeader(headerB64: string): string | undefined {
    return this.#headers.get(headerB64);
  }

  /**
   * Checks a signature by the kid rule, or throws a {@link TokenError}:
   * - a `kid` (the header's) names the one secret that may check the token: an unknown kid or a
   *   bad signature is 43, a retired secret 44 (whatever the signature);
   * - without a kid: the primary, then the other active secrets, in order; where none matches
   *   but a retired one does, 44 (so that a client gets a new token), else 43.
   * A `kid` that is not a string of 1 to 64 characters from `[A-Za-z0-9._-]` is 43.
   */
  verify(kid: unknown, signingInput: string, signature: string, what: TokenWhat = 'token'): void {
    if (kid !== undefined) {
      if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
        throw new TokenError(43, `${what} malformed: kid is not 1 to 64 characters from A-Z a-z 0-9 . _ -`);
      }
      const named = this.#entries.find((e) => e.kid === kid);
      if (!named) throw new TokenError(43, `${what} refused: signed with the secret ${shown(kid)}, which is not one of ${this.kids.map((k) => `"${k}"`).join(', ')}`);
      if (named.state === 'retired') throw retiredError(what, kid);
      if (!signedWith(named, signingInput, signature)) throw badSignature(what);
      return;
    }
    if (signedWith(this.#primary(), signingInput, signature)) return;
    for (const e of this.#entries) if (e.state === 'active' && signedWith(e, signingInput, signature)) return;
    // Only on the refusal path: the token of a retired secret says so.
    const retired = this.#entries.find((e) => e.state === 'retired' && signedWith(e, signingInput, signature));
    if (retired) throw retiredError(what, retired.kid);
    throw badSignature(what);
  }

  #primary(): KeyEntry {
    return this.#entries.find((e) => e.state === 'primary') as KeyEntry;
  }

  /** Never a secret: the kids, the signing one first. */
  toString(): string {
    return `Keyring [${this.kids.map((k) => (k === this.#signer.kid ? `${k} (signs)` : k)).join(', ')}]`;
  }

  /** Never a secret. */
  toJSON(): string {
    return this.toString();
  }

  /** What `util.inspect` shows: never a secret. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function badSignature(what: TokenWhat): TokenError {
  return new TokenError(43, `${what} signature is invalid (signed with another secret, or changed)`);
}

/** A secret or a keyring, as minting and verification take it. */
export type KeySet = SigningKey | Keyring;

/** What a keyring given as an option must be, in words, or `undefined` where it is one. Never quotes a value. */
export function keyringFault(value: unknown): { path: string; message: string } | undefined {
  if (!Array.isArray(value)) return { path: '', message: 'expected a keyring: an array of { kid, secret }' };
  if (value.length === 0 || value.length > MAX_APP_SECRETS) {
    return { path: '', message: `expected 1 to ${MAX_APP_SECRETS} entries (an app holds at most ${MAX_APP_SECRETS} secrets), got ${value.length}` };
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { path: `${i}`, message: 'expected { kid, secret }' };
    const unknown = Object.keys(entry).filter((k) => k !== 'kid' && k !== 'secret');
    if (unknown.length > 0) return { path: `${i}.${unknown[0]}`, message: 'unknown key (expected kid and secret)' };
    const { kid, secret } = entry as { kid?: unknown; secret?: unknown };
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return { path: `${i}.kid`, message: 'expected 1 to 64 characters from A-Z a-z 0-9 . _ -' };
    const first = seen.get(kid);
    // The kid is not quoted: a secret pasted where the kid goes would show.
    if (first !== undefined) return { path: `${i}.kid`, message: `duplicates the kid of entry ${first}` };
    seen.set(kid, i);
    const fault = secret === undefined ? 'is missing' : secretFault(secret);
    if (fault !== undefined) return { path: `${i}.secret`, message: fault };
  }
  return undefined;
}

/**
 * A keyring from `[{ kid, secret }, ...]`: the first entry signs (primary), every entry verifies
 * (active). Throws an {@link ArgumentError} naming `field` and the entry at fault.
 */
export function toKeyring(value: unknown, field = 'apiSecret', keyOf: (secret: SecretInput, field: string) => SigningKey = toSigningKey): Keyring {
  const fault = keyringFault(value);
  if (fault) {
    const path = fault.path ? `${field}.${fault.path}` : field;
    throw new ArgumentError(`Invalid ${path}: ${fault.message}`, [{ path, message: fault.message }]);
  }
  const entries = value as KeyringEntry[];
  return new Keyring(entries.map((e, i) => ({ kid: e.kid, state: i === 0 ? 'primary' : 'active', key: keyOf(e.secret, `${field}.${i}.secret`) })));
}

/** A secret or a keyring (an array) as a {@link KeySet}. */
export function toKeySet(value: unknown, field = 'apiSecret'): KeySet {
  return Array.isArray(value) ? toKeyring(value, field) : toSigningKey(value, field);
}

/** Signs `payload` with a plain key (no kid in the header) or with a keyring's primary (its kid in the header). */
export function signToken(keys: KeySet, payload: Record<string, unknown>): string {
  return keys instanceof Keyring ? keys.sign(payload) : signHS256(keys, payload);
}

/** Checks a signature with a plain key (every token, whatever its kid) or by a keyring's kid rule; throws a {@link TokenError}. */
export function verifySignature(keys: KeySet, kid: unknown, signingInput: string, signature: string, what: TokenWhat = 'token'): void {
  if (keys instanceof Keyring) keys.verify(kid, signingInput, signature, what);
  else if (!hs256Verify(keys, signingInput, signature)) throw badSignature(what);
}


/** The environment variable that holds a keyring as JSON (docs/secret-rotation.md). */
export const KEYRING_ENV = 'TOKENKIT_API_SECRETS';

/** What a keyring given as text must look like, in words. */
export const KEYRING_TEXT_EXPECTED = 'a keyring as JSON, [{"kid":"...","secret":"..."}, ...]';

/**
 * A keyring from its JSON text (`TOKENKIT_API_SECRETS`, or a keyring file): `[{"kid":"...","secret":"..."}, ...]`,
 * each secret a non-empty string. Answers the entries, or the fault: `path` names the entry by its index
 * (`1.kid`), `message` says what was expected. Never quotes the text: it holds secrets (and JSON.parse's
 * own message would quote some of it).
 */
export function keyringFromText(text: string): { entries: KeyringEntry[] } | { fault: { path: string; message: string } } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { fault: { path: '', message: `not valid JSON; expected ${KEYRING_TEXT_EXPECTED}` } };
  }
  if (!Array.isArray(value)) return { fault: { path: '', message: `expected ${KEYRING_TEXT_EXPECTED}, got ${value === null ? 'null' : `a ${typeof value === 'object' ? 'JSON object' : typeof value}`}` } };
  const fault = keyringFault(value);
  // In text, a secret can only be a string: the KeyObject of keyringFault's message cannot be given.
  if (fault !== undefined) return { fault: fault.path.endsWith('.secret') && fault.message !== 'is missing' ? { path: fault.path, message: 'expected a non-empty string' } : fault };
  return { entries: value as KeyringEntry[] };
}

/** `NAME` for the whole value, `NAME[1].kid` for a part (entries counted from 0): how errors name the part of a keyring text at fault. */
function keyringTextPath(name: string, path: string): string {
  if (!path) return name;
  const [index, field] = path.split('.');
  return `${name}[${index}]${field ? `.${field}` : ''}`;
}

/**
 * The app secret the environment gives: `TOKENKIT_API_SECRET` (one secret) or `TOKENKIT_API_SECRETS`
 * (a keyring as JSON), or undefined where neither is set. Where both are set or the keyring is not
 * one, the fault: `message` names the variable (and the entry) and what was expected, never a value;
 * `path` is the option's path (`apiSecret.1.kid`). The SDK and the CLI each raise their own error with it.
 */
export function secretFromEnvironment(env: Readonly<Record<string, string | undefined>>): { secret: string | KeyringEntry[] | undefined } | { fault: { path: string; message: string } } {
  const single = env['TOKENKIT_API_SECRET'] || undefined;
  const text = env[KEYRING_ENV] || undefined;
  if (text === undefined) return { secret: single };
  if (single !== undefined) return { fault: { path: 'apiSecret', message: `set TOKENKIT_API_SECRET (one secret) or ${KEYRING_ENV} (a keyring), not both` } };
  const parsed = keyringFromText(text);
  if ('entries' in parsed) return { secret: parsed.entries };
  const { path, message } = parsed.fault;
  return { fault: { path: path ? `apiSecret.${path}` : 'apiSecret', message: `invalid ${keyringTextPath(KEYRING_ENV, path)}: ${message}` } };
}
