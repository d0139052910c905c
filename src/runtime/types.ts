/**
 * What tokenkit needs from the platform it runs on, and nothing more. One object per platform
 * implements it (`node.ts` over node:crypto, `portable.ts` over Web APIs and @noble/hashes);
 * `index.ts` picks one, once, at import. Every implementation passes the same contract suite
 * (`__tests__/runtime/contract.ts`), so a token minted on one verifies byte for byte on another.
 */
export interface Runtime {
  /** `node` or `portable`: which implementation this is (for the contract tests and the User-Agent). */
  readonly name: 'node' | 'portable';
  /** The platform and its version for a `User-Agent`, e.g. `node/20.19.0`. */
  readonly platform: string;
  /** tokenkit's version, written at build time into `src/version.ts` (never read from disk). */
  readonly version: string;

  /**
   * Prepares HMAC-SHA256 key material once (a `KeyObject` on Node, a keyed hash state elsewhere).
   * The result is opaque to the rest of tokenkit and is only ever handed back to {@link hmacSha256Base64url}.
   */
  prepareHmacKey(secret: Uint8Array): PreparedHmacKey;
  /** HMAC-SHA256 of `data` (UTF-8) under `key`, base64url without padding; synchronous on every runtime. */
  hmacSha256Base64url(key: PreparedHmacKey, data: string): string;
  /** Whether two strings are equal, in time that depends only on their length. */
  constantTimeEqual(a: string, b: string): boolean;

  /** base64url (no padding) of the UTF-8 bytes of `text`. */
  base64urlEncodeText(text: string): string;
  /** base64url (no padding) of `bytes`. */
  base64urlEncode(bytes: Uint8Array): string;
  /**
   * The bytes of a base64url text. Lenient in the way Node's decoder is (no padding needed, `=`
   * accepted, trailing bits ignored); callers check the alphabet first where that matters.
   */
  base64urlDecode(text: string): Uint8Array;
  /** {@link base64urlDecode} read as UTF-8 (invalid sequences become U+FFFD). */
  base64urlDecodeText(text: string): string;

  /** A random RFC 4122 version 4 UUID, lower case: Idempotency-Keys and request ids. */
  randomId(): string;
  /** `n` cryptographically random bytes. */
  randomBytes(n: number): Uint8Array;

  /** The process environment (for the `TOKENKIT_*` fallbacks); an empty object where there is none. */
  env(): Readonly<Record<string, string | undefined>>;

  /**
   * A `fetch` dispatcher for the proxy that `env` names (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`):
   * undici's `EnvHttpProxyAgent` on Node, loaded only then; `undefined` where fetch takes no
   * dispatcher (edge runtimes, browsers).
   */
  proxyDispatcher(env: Readonly<Record<string, string | undefined>>): object | undefined;

  /**
   * The dispatcher `fetch` sends through when given none: undici's global one on Node (where
   * every undici, Node's own included, keeps it: `Symbol.for('undici.globalDispatcher.1')`),
   * `undefined` before the process's first fetch sets it, and always where fetch is not undici's.
   */
  globalDispatcher(): object | undefined;

  /**
   * Lets `count` listeners wait on one AbortSignal without a warning (Node warns past ten, and
   * raising its limit needs node:events); a no-op where there is no such warning.
   */
  allowListeners(signal: AbortSignal, count: number): void;

  /**
   * The raw bytes of a platform key object given as a secret (a Node `KeyObject` of type
   * `secret`), `undefined` when `value` is not one. Throws a `TypeError` naming the key type for
   * an asymmetric key. The portable runtime knows no key objects and always answers `undefined`.
   */
  platformSecretBytes(value: unknown): Uint8Array | undefined;
}

/** Key material prepared by one {@link Runtime}; only that runtime can use it. */
export type PreparedHmacKey = { readonly __prepared: unique symbol };
