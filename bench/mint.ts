// Tokens per second: tokenkit's minting and verification against the raw node:crypto limit,
// jsonwebtoken, fast-jwt, jose, and Stream's two server SDKs. Every library gets
// the same key: a KeyObject where it takes one (jsonwebtoken, jose, tokenkit), the same bytes as a
// Buffer for fast-jwt (which refuses a KeyObject). The string-secret rows show jsonwebtoken as the
// Stream SDKs use it (a string secret is hashed into a key on every call: its slow path), and
// tokenkit's verifyUserToken given the string. Run: `npx tsx bench/mint.ts`.
//
// No network: neither Stream SDK connects in its constructor (read in their dist code: StreamChat
// only builds an axios instance and an https.Agent; StreamClient only builds API client objects
// and signs its server token), both are pointed at 127.0.0.1 anyway, and a guard on
// `net.client.socket` fails the run if any socket is opened while it runs.

import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { StreamClient } from '@stream-io/node-sdk';
import { createSigner, createVerifier } from 'fast-jwt';
import { SignJWT, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { StreamChat } from 'stream-chat';
import { ServerClient, SigningKey, verifyUserToken } from '../src/index';
import { type Candidate, type Measured, type Row, measure, runMain, toRows } from './lib';

/** The speed targets of minting and verifying, on the 2-core machine. */
export const TARGETS = { mintVsRaw: 0.45, mintVsStream: 50, verifyVsRaw: 0.6, verifyStringVsKey: 0.85 } as const;

const OFFLINE_URL = 'http://127.0.0.1:9'; // discard port: nothing is ever sent there
const USER = 'bench-user_1';
const VALIDITY = 3600;

const HEADER_B64 = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** The limit: one JSON.stringify, one base64url and one HMAC with a KeyObject over a precomputed header. */
function rawMint(key: KeyObject): string {
  const nowMs = Date.now();
  const payload = { user_id: USER, iat: nowMs / 1000, exp: Math.floor(nowMs / 1000) + VALIDITY };
  const input = HEADER_B64 + '.' + Buffer.from(JSON.stringify(payload)).toString('base64url');
  return input + '.' + createHmac('sha256', key).update(input).digest('base64url');
}

/** The limit of a check: split, HMAC, constant-time compare, JSON.parse of the payload. */
function rawVerify(key: KeyObject, token: string): Record<string, unknown> {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  const expected = Buffer.from(createHmac('sha256', key).update(token.slice(0, dot2)).digest('base64url'));
  const given = Buffer.from(token.slice(dot2 + 1));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Error('bad signature');
  return JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Fails the run if any TCP socket is opened while `work` runs. */
async function offline<T>(work: () => Promise<T>): Promise<T> {
  let sockets = 0;
  const onSocket = (): void => {
    sockets++;
  };
  subscribe('net.client.socket', onSocket);
  try {
    const result = await work();
    if (sockets > 0) throw new Error(`the mint bench opened ${sockets} socket(s): it must not touch the network`);
    return result;
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
}

/** Checks a token carries `{ user_id, iat, exp }` signed with `key`, so every candidate does comparable work. */
function assertComparable(name: string, token: string, key: KeyObject): void {
  const claims = jwt.verify(token, key, { algorithms: ['HS256'] });
  if (typeof claims !== 'object' || claims['user_id'] !== USER || typeof claims.iat !== 'number' || typeof claims.exp !== 'number') {
    throw new Error(`${name} did not mint a { user_id, iat, exp } token`);
  }
}

function target(ok: boolean, text: string): string {
  return `${ok ? 'met' : 'MISSED'}: ${text}`;
}

function byName(measured: readonly Measured[], name: string): Measured {
  const m = measured.find((x) => x.name === name);
  if (!m) throw new Error(`no figure for ${name}`);
  return m;
}

async function mintRows(secret: string, key: KeyObject, client: ServerClient): Promise<Row[]> {
  const chat = new StreamChat('bench-key', secret, { baseURL: OFFLINE_URL });
  const node = new StreamClient('bench-key', secret, { basePath: OFFLINE_URL, timeout: 1000 });
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const fastSign = createSigner({ key: Buffer.from(secret, 'utf8'), algorithm: 'HS256' });

  const candidates: Candidate[] = [
    { name: 'raw node:crypto HMAC (limit)', fn: () => rawMint(key) },
    { name: 'tokenkit client.generateUserToken', fn: () => client.generateUserToken({ user_id: USER, validity_in_seconds: VALIDITY }) },
    {
      name: 'jsonwebtoken.sign, KeyObject',
      fn: () => jwt.sign({ user_id: USER, exp: nowSeconds() + VALIDITY }, key, { algorithm: 'HS256' }),
    },
    { name: 'fast-jwt signer, Buffer key (same bytes)', fn: () => fastSign({ user_id: USER, exp: nowSeconds() + VALIDITY }) },
    {
      name: 'jose SignJWT, KeyObject',
      async: true,
      fn: () => new SignJWT({ user_id: USER }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(nowSeconds() + VALIDITY).sign(key),
    },
    {
      name: 'jsonwebtoken.sign, string secret',
      fn: () => jwt.sign({ user_id: USER, exp: nowSeconds() + VALIDITY }, secret, { algorithm: 'HS256' }),
    },
    {
      name: 'stream-chat StreamChat#createToken',
      fn: () => {
        const now = nowSeconds();
        return chat.createToken(USER, now + VALIDITY, now);
      },
    },
    {
      // It mutates its argument (stamps iat and exp into it), so each call gets a fresh object.
      name: '@stream-io/node-sdk StreamClient#generateUserToken',
      fn: () => node.generateUserToken({ user_id: USER, validity_in_seconds: VALIDITY }),
    },
  ];
  for (const c of candidates) assertComparable(c.name, (await c.fn()) as string, key);

  const measured = await measure(candidates);
  const tokenkit = byName(measured, 'tokenkit client.generateUserToken');
  const vsChat = tokenkit.median / byName(measured, 'stream-chat StreamChat#createToken').median;
  const vsNode = tokenkit.median / byName(measured, '@stream-io/node-sdk StreamClient#generateUserToken').median;
  return [
    ...toRows(measured),
    { name: 'target: generateUserToken / raw limit', value: tokenkit.ratio, unit: 'x', note: target(tokenkit.ratio >= TARGETS.mintVsRaw, `>= ${TARGETS.mintVsRaw}x`) },
    { name: 'target: generateUserToken / stream-chat', value: vsChat, unit: 'x', note: target(vsChat >= TARGETS.mintVsStream, `>= ${TARGETS.mintVsStream}x`) },
    { name: 'target: generateUserToken / node-sdk', value: vsNode, unit: 'x', note: target(vsNode >= TARGETS.mintVsStream, `>= ${TARGETS.mintVsStream}x`) },
  ];
}

async function verifyRows(secret: string, key: KeyObject, client: ServerClient): Promise<Row[]> {
  const token = client.generateUserToken({ user_id: USER, validity_in_seconds: VALIDITY });
  const options = { secret: key };
  const signingKey = { secret: SigningKey.from(secret) };
  const stringSecret = { secret };
  const fastVerify = createVerifier({ key: Buffer.from(secret, 'utf8'), algorithms: ['HS256'] });
  const candidates: Candidate[] = [
    { name: 'raw HMAC check (limit)', fn: () => rawVerify(key, token) },
    { name: 'tokenkit verifyUserToken, SigningKey', fn: () => verifyUserToken(token, signingKey), async: true },
    { name: 'tokenkit verifyUserToken, string secret', fn: () => verifyUserToken(token, stringSecret), async: true },
    { name: 'tokenkit verifyUserToken, KeyObject secret', fn: () => verifyUserToken(token, options), async: true },
    { name: 'tokenkit client.verifyUserToken', fn: () => client.verifyUserToken(token), async: true },
    { name: 'jsonwebtoken.verify, KeyObject', fn: () => jwt.verify(token, key, { algorithms: ['HS256'] }) },
    { name: 'fast-jwt verifier, Buffer key (same bytes)', fn: () => fastVerify(token) as unknown },
    { name: 'jose jwtVerify, KeyObject', fn: async () => (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload, async: true },
    { name: 'jsonwebtoken.verify, string secret', fn: () => jwt.verify(token, secret, { algorithms: ['HS256'] }) },
  ];
  // Every candidate must accept the token and read the same user.
  for (const c of candidates) {
    const claims = (await c.fn()) as Record<string, unknown>;
    if (claims['user_id'] !== USER) throw new Error(`${c.name} did not return the token's claims`);
  }

  const measured = await measure(candidates);
  const rows = toRows(measured);
  for (const name of ['tokenkit verifyUserToken, SigningKey', 'tokenkit verifyUserToken, KeyObject secret', 'tokenkit client.verifyUserToken']) {
    const m = byName(measured, name);
    rows.push({ name: `target: ${name.replace('tokenkit ', '')} / raw`, value: m.ratio, unit: 'x', note: target(m.ratio >= TARGETS.verifyVsRaw, `>= ${TARGETS.verifyVsRaw}x`) });
  }
  // A string secret's key is cached by verifyUserToken: it must cost little more than a prepared key.
  const byString = byName(measured, 'tokenkit verifyUserToken, string secret').median / byName(measured, 'tokenkit verifyUserToken, SigningKey').median;
  rows.push({
    name: 'target: verifyUserToken string secret / SigningKey',
    value: byString,
    unit: 'x',
    note: target(byString >= TARGETS.verifyStringVsKey, `>= ${TARGETS.verifyStringVsKey}x`),
  });
  return rows;
}

/** Mints and verifies with each library; rows in ops/s with the ratio to the raw limit, then the targets. */
export async function run(): Promise<Row[]> {
  return offline(async () => {
    const secret = randomBytes(32).toString('hex');
    const key = createSecretKey(Buffer.from(secret, 'utf8'));
    const client = new ServerClient({ apiKey: 'bench-key', apiSecret: secret, baseUrl: OFFLINE_URL });
    const mint = await mintRows(secret, key, client);
    const verify = await verifyRows(secret, key, client);
    return [...mint.map((r) => ({ ...r, name: `mint: ${r.name}` })), ...verify.map((r) => ({ ...r, name: `verify: ${r.name}` }))];
  });
}

if (require.main === module) runMain('mint: tokens/s (ratio to the raw node:crypto limit)', run);
