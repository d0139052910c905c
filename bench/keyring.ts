// What a keyring costs: minting and verifying with `apiSecret: [{ kid, secret }, ...]`
// against a plain secret, as ratios measured in the same run. Run: `npx tsx bench/keyring.ts`.
// The kid rule adds a Map lookup of the header (a keyring's own header is not decoded again) and
// picks one secret by kid; a token without kid falls back to the primary first.

import { randomBytes } from 'node:crypto';
import { ServerClient, verifyUserToken } from '../src/index';
import { type Candidate, type Row, measure, runMain, toRows } from './lib';

const USER = 'bench-user_1';

/** Mint and verify with a plain secret (the baseline of each half) and with a three-secret keyring. */
export async function run(): Promise<Row[]> {
  const [a, b, c] = [0, 1, 2].map(() => randomBytes(32).toString('hex')) as [string, string, string];
  const keyring = [
    { kid: 'sec_new', secret: a },
    { kid: 'sec_old', secret: b },
    { kid: 'sec_older', secret: c },
  ];
  const plain = new ServerClient({ apiKey: 'bench-key', apiSecret: a });
  const ringed = new ServerClient({ apiKey: 'bench-key', apiSecret: keyring });
  const plainToken = plain.generateUserToken({ user_id: USER });
  const kidToken = ringed.generateUserToken({ user_id: USER });
  // A token of the last entry, without kid: the fallback tries the first two entries before it.
  const lastNoKid = new ServerClient({ apiKey: 'bench-key', apiSecret: c }).generateUserToken({ user_id: USER });

  const mint = await measure([
    { name: 'generateUserToken, plain secret', fn: () => plain.generateUserToken({ user_id: USER }) },
    { name: 'generateUserToken, keyring (kid stamped)', fn: () => ringed.generateUserToken({ user_id: USER }) },
  ]);
  const verify: Candidate[] = [
    { name: 'client.verifyUserToken, plain secret', fn: () => plain.verifyUserToken(plainToken), async: true },
    { name: 'client.verifyUserToken, keyring, token with kid', fn: () => ringed.verifyUserToken(kidToken), async: true },
    { name: 'client.verifyUserToken, keyring, no kid, third entry', fn: () => ringed.verifyUserToken(lastNoKid), async: true },
    { name: 'verifyUserToken({ secret: keyring }), token with kid', fn: () => verifyUserToken(kidToken, { secret: keyring }), async: true },
  ];
  for (const v of verify) {
    const claims = (await v.fn()) as Record<string, unknown>;
    if (claims['user_id'] !== USER) throw new Error(`${v.name} did not return the token's claims`);
  }
  const verified = await measure(verify);
  return [...toRows(mint).map((r) => ({ ...r, name: `mint: ${r.name}` })), ...toRows(verified).map((r) => ({ ...r, name: `verify: ${r.name}` }))];
}

if (require.main === module) runMain('keyring: tokens/s (ratio to a plain secret)', run);
