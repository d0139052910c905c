import { createSecretKey, KeyObject } from 'node:crypto';
import { ArgumentError } from '../errors';

/**
 * Turns an app secret into a `KeyObject`, once: jsonwebtoken and node:crypto then skip the
 * per-call key import that makes string secrets ~70x slower (DEVELOPERS.md, "The stack").
 */
export function toSecretKey(secret: unknown, field = 'apiSecret'): KeyObject {
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') {
      throw new ArgumentError(`Invalid ${field}: expected a secret (symmetric) KeyObject, got a ${secret.type} key`, [
        { path: field, message: `expected a secret KeyObject, got a ${secret.type} key` },
      ]);
    }
    return secret;
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new ArgumentError(`Invalid ${field}: expected a non-empty string or a secret KeyObject`, [
      { path: field, message: 'expected a non-empty string or a secret KeyObject' },
    ]);
  }
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
