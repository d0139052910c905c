// The raw HMAC-SHA256 limit where node:crypto exists (Node, Bun, Deno): a KeyObject made once,
// createHmac per signature, Buffer's native base64url. See runtime-probe.ts.
import { createHmac, createSecretKey } from 'node:crypto';
import type { RawHmac } from './runtime-probe';

export function nodeRawHmac(secret: string): RawHmac {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    name: 'node:crypto createHmac (KeyObject)',
    sign: (data) => createHmac('sha256', key).update(data).digest('base64url'),
    encode: (text) => Buffer.from(text).toString('base64url'),
    decode: (b64) => Buffer.from(b64, 'base64url').toString('utf8'),
  };
}
