// The per-runtime part of `bench/runtimes.ts`: runs inside each runtime of the matrix (Node, Bun,
// Deno, workerd, Vercel's edge runtime), on web APIs only, and measures minting and verification
// against that runtime's own raw HMAC-SHA256 (the fastest synchronous one it has: node:crypto on
// Node, Bun and Deno; @noble/hashes on workerd and the edge runtime, which have no synchronous
// HMAC of their own). The host hands it the raw primitives (`RawHmac`).
import { ServerClient } from 'tokenkit';

/** The raw primitives of one runtime, over one secret. */
export interface RawHmac {
  /** What they are, e.g. `node:crypto createHmac` or `@noble/hashes hmac`. */
  name: string;
  /** HMAC-SHA256 of `data` (UTF-8), base64url without padding. */
  sign(data: string): string;
  /** base64url of the UTF-8 bytes of `text`. */
  encode(text: string): string;
  /** The UTF-8 text of a base64url string. */
  decode(b64: string): string;
}

/** One figure of the probe. */
export interface ProbeFigure {
  name: string;
  opsPerSecond: number;
  /** Ops/s divided by the raw limit's of the same kind (mint or verify). */
  ratio: number;
}

const USER = 'bench-user_1';
const VALIDITY = 3600;
const HEADER = '{"alg":"HS256","typ":"JWT"}';

/**
 * workerd reads the clock only between I/O (time stands still while code runs): a timer before
 * each reading lets it move. Elsewhere the extra tick costs the same for every candidate.
 */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

interface Candidate {
  name: string;
  fn: () => unknown;
  async?: boolean;
}

let sink = 0;
async function batch(c: Candidate, n: number): Promise<number> {
  await tick();
  const start = Date.now();
  if (c.async) for (let i = 0; i < n; i++) sink ^= ((await c.fn()) as object) ? 1 : 0;
  else for (let i = 0; i < n; i++) sink ^= (c.fn() as string).length;
  await tick();
  return Math.max(Date.now() - start, 1);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

/** Ops/s of each candidate: sizes calibrated to ~roundMs, then `rounds` interleaved rounds; medians. */
async function measure(candidates: Candidate[], rounds: number, roundMs: number): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const c of candidates) {
    let n = 64;
    for (let ms = await batch(c, n); ms < roundMs && n < 1 << 24; ms = await batch(c, n)) n *= 2;
    sizes.set(c.name, n);
  }
  const per = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length]!;
      const n = sizes.get(c.name)!;
      per.get(c.name)!.push((n * 1000) / (await batch(c, n)));
    }
  }
  return new Map([...per].map(([name, values]) => [name, median(values)]));
}

/** Measures mint and verify against the raw limits; `secret` is the one `raw` was made with. */
export async function probe(raw: RawHmac, secret: string, rounds: number, roundMs: number): Promise<{ raw: string; figures: ProbeFigure[]; sink: number }> {
  const client = new ServerClient({ apiKey: 'bench-key', apiSecret: secret, baseUrl: 'http://127.0.0.1:9' });
  const headerB64 = raw.encode(HEADER);
  const rawMint = (): string => {
    const nowMs = Date.now();
    const input = headerB64 + '.' + raw.encode(JSON.stringify({ user_id: USER, iat: nowMs / 1000, exp: Math.floor(nowMs / 1000) + VALIDITY }));
    return input + '.' + raw.sign(input);
  };
  const token = client.generateUserToken({ user_id: USER, validity_in_seconds: VALIDITY });
  const rawVerify = (): unknown => {
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    const expected = raw.sign(token.slice(0, dot2));
    const given = token.slice(dot2 + 1);
    let diff = expected.length ^ given.length;
    for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
    if (diff !== 0) throw new Error('the raw check refused tokenkit’s token: the raw HMAC is wrong');
    return JSON.parse(raw.decode(token.slice(dot1 + 1, dot2)));
  };
  rawVerify();
  const candidates: Candidate[] = [
    { name: 'raw mint', fn: rawMint },
    { name: 'generateUserToken', fn: () => client.generateUserToken({ user_id: USER, validity_in_seconds: VALIDITY }) },
    { name: 'raw verify', fn: rawVerify },
    { name: 'verifyUserToken', fn: () => client.verifyUserToken(token), async: true },
  ];
  const ops = await measure(candidates, rounds, roundMs);
  const get = (name: string): number => ops.get(name) ?? 0;
  return {
    raw: raw.name,
    figures: [
      { name: 'raw mint (limit)', opsPerSecond: get('raw mint'), ratio: 1 },
      { name: 'generateUserToken', opsPerSecond: get('generateUserToken'), ratio: get('generateUserToken') / get('raw mint') },
      { name: 'raw verify (limit)', opsPerSecond: get('raw verify'), ratio: 1 },
      { name: 'verifyUserToken', opsPerSecond: get('verifyUserToken'), ratio: get('verifyUserToken') / get('raw verify') },
    ],
    sink,
  };
}
