import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { VERSION } from '../version';
import type { PreparedHmacKey, Runtime } from './types';

// The portable runtime: no `node:` module, no Buffer, no process (read only if it exists). It runs
// wherever Web Crypto's getRandomValues, TextEncoder and TextDecoder do (workerd, Vercel's edge
// runtime, Deno, Bun, browsers, and Node itself, where the contract tests run it). HMAC-SHA256 is
// @noble/hashes (audited, pure JS, synchronous): Web Crypto's HMAC is asynchronous only, and
// minting a token must stay synchronous on every runtime.

type Hmac = ReturnType<typeof hmac.create>;

const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is kept, as Buffer's UTF-8 decoder keeps it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Sextet of each character code, -1 outside the alphabets; `+` and `/` are read too, as Node reads them. */
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
SEXTET[0x2b /* + */] = 62;
SEXTET[0x2f /* / */] = 63;

function encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Node's lenient reading: stops at `=`, skips characters outside the alphabets, drops leftover bits. */
function decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let length = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d /* = */) break;
    const v = c < 128 ? SEXTET[c]! : -1;
    if (v < 0) continue;
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[length++] = (bits >> count) & 0xff;
    }
  }
  return out.subarray(0, length);
}

interface WebCrypto {
  getRandomValues(array: Uint8Array): Uint8Array;
}

function webCrypto(): WebCrypto {
  const c = (globalThis as { crypto?: WebCrypto }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') throw new Error('tokenkit needs crypto.getRandomValues (Web Crypto) on this runtime');
  return c;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) webCrypto().getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

function randomId(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const EMPTY_ENV: Readonly<Record<string, string | undefined>> = Object.freeze({});

function env(): Readonly<Record<string, string | undefined>> {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> }; Deno?: { env?: { toObject(): Record<string, string> } } };
  if (g.process?.env && typeof g.process.env === 'object') return g.process.env;
  try {
    // Deno without node compatibility; throws without --allow-env, which means "no environment".
    const fromDeno = g.Deno?.env?.toObject();
    if (fromDeno) return fromDeno;
  } catch {
    // no permission to read the environment
  }
  return EMPTY_ENV;
}

/** `Deno/2.1`, `Bun/1.2`, `Cloudflare-Workers`, ...: the first word of navigator.userAgent, or `portable`. */
function platform(): string {
  const ua = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  const word = typeof ua === 'string' ? (ua.split(' ')[0] ?? '') : '';
  return /^[A-Za-z0-9._/-]{1,64}$/.test(word) ? word.toLowerCase() : 'portable';
}

export const portableRuntime: Runtime = {
  name: 'portable',
  platform: platform(),
  version: VERSION,

  prepareHmacKey(secret) {
    // The keyed inner and outer states are computed once; each signature clones them.
    return hmac.create(sha256, secret) as unknown as PreparedHmacKey;
  },
  hmacSha256Base64url(key, data) {
    return encode((key as unknown as Hmac).clone().update(encoder.encode(data)).digest());
  },
  constantTimeEqual(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
  },

  base64urlEncodeText: (text) => encode(encoder.encode(text)),
  base64urlEncode: encode,
  base64urlDecode: decode,
  base64urlDecodeText: (text) => decoder.decode(decode(text)),

  randomId,
  randomBytes,
  env,

  // No runtime but Node warns about many listeners on one signal.
  allowListeners: () => undefined,
  // fetch here takes no dispatcher: the platform's own egress applies.
  proxyDispatcher: () => undefined,
  globalDispatcher: () => undefined,

  platformSecretBytes: () => undefined,
};

/** What `#runtime` resolves to on workerd, Vercel's edge runtime and in browsers (package.json `imports`). */
export const runtime: Runtime = portableRuntime;
