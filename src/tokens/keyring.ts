import type { KeyObject } from 'node:crypto';
import { TokenError } from '../errors';
import { KID_PATTERN, type SecretState } from '../schemas/secrets';
import { hs256Verify } from './jws';

// The kid rule (docs/platform-api.md, "App secrets and rotation"), in one place: the SDK's keyring
// and the emulator's app secrets both ask it, so a backend and the platform cannot disagree on
// which secret checks a token.

/**
 * One key a token may be checked with: its id (none for a plain secret), its state and the key
 * (none for a retired secret whose value is no longer known: its kid is still refused with 44).
 */
export interface KeyEntry {
  readonly kid: string | undefined;
  readonly state: SecretState;
  readonly key: KeyObject | undefined;
}

function signedWith(e: KeyEntry, signingInput: string, signature: string): boolean {
  return e.key !== undefined && hs256Verify(e.key, signingInput, signature);
}

/** What the errors call the token: `token` or `server token`. */
type What = 'token' | 'server token';

function shown(kid: string): string {
  return JSON.stringify(kid.length > 64 ? `${kid.slice(0, 64)}...` : kid);
}

/**
 * Checks a signature by the kid rule, or throws a {@link TokenError}:
 * - a `kid` (the header's) names the one secret that may check the token: an unknown kid or a bad
 *   signature is 43, a retired secret 44. Entries without a kid (a plain secret) may be any
 *   secret, so they check a token whose kid no entry holds.
 * - without a kid: the primary, then the other active secrets, in order; where none matches but a
 *   retired one does, 44 (the token is the retired secret's), else 43.
 * A `kid` that is not a string of 1 to 64 characters from `[A-Za-z0-9._-]` is 43.
 */
export function verifyByKid(entries: readonly KeyEntry[], kid: unknown, signingInput: string, signature: string, what: What = 'token'): void {
  const badSignature = (): TokenError => new TokenError(43, `${what} signature is invalid (signed with another secret, or changed)`);
  if (kid !== undefined) {
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
      throw new TokenError(43, `${what} malformed: kid is not 1 to 64 characters from A-Z a-z 0-9 . _ -`);
    }
    const named = entries.find((e) => e.kid === kid);
    if (named) {
      if (named.state === 'retired') throw retiredError(what, kid);
      if (!signedWith(named, signingInput, signature)) throw badSignature();
      return;
    }
    const unnamed = entries.filter((e) => e.kid === undefined && e.state !== 'retired');
    if (unnamed.length === 0) throw new TokenError(43, `${what} refused: signed with the secret ${shown(kid)}, which this app does not hold`);
    if (!unnamed.some((e) => signedWith(e, signingInput, signature))) throw badSignature();
    return;
  }
  for (const state of ['primary', 'active'] as const) {
    for (const e of entries) if (e.state === state && signedWith(e, signingInput, signature)) return;
  }
  // Only on the refusal path: a token of a retired secret says so (44), so that a client refreshes.
  const retired = entries.find((e) => e.state === 'retired' && signedWith(e, signingInput, signature));
  if (retired) throw retiredError(what, retired.kid ?? '(no kid)');
  throw badSignature();
}

function retiredError(what: What, kid: string): TokenError {
  return new TokenError(44, `${what} revoked: signed with the retired secret ${shown(kid)} (get a new one, signed with the primary secret)`);
}
