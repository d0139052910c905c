// The raw HMAC-SHA256 limit where there is no node:crypto (workerd without nodejs_compat, Vercel's
// edge runtime): @noble/hashes with the keyed state made once and cloned per signature, btoa/atob
// for base64url. Web Crypto is no limit to compare with: its HMAC is asynchronous only. See
// runtime-probe.ts.
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import type { RawHmac } from './runtime-probe';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function portableRawHmac(secret: string): RawHmac {
  const keyed = hmac.create(sha256, encoder.encode(secret));
  return {
    name: '@noble/hashes hmac (keyed state cloned)',
    sign: (data) => toBase64url(keyed.clone().update(encoder.encode(data)).digest()),
    encode: (text) => toBase64url(encoder.encode(text)),
    decode: (b64) => {
      const binary = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
      return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    },
  };
}
