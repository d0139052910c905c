// The catalogue of hostile user tokens, each with the code the platform's rules give it
// when the request is for user "alice". The same list runs against verifyUserToken (every way of
// giving the secret) and against the emulator's POST /v1/connect, so the two must agree.
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { MAX_TOKEN_LENGTH } from 'tokenkit';
import { HS, b64, hmac, signText, signValues } from '../support/hardening';

/** One hostile token and the code it must be refused with. */
export interface HostileCase {
  /** What the attack is. */
  group: string;
  name: string;
  token: string;
  code: number;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Builds the catalogue for an app secret at `nowMs` (the platform's now). */
export function hostileUserTokens(secret: string, nowMs: number): HostileCase[] {
  const nowS = nowMs / 1000;
  const good = { user_id: 'alice', iat: nowS, exp: Math.floor(nowS) + 3600 };
  const goodText = JSON.stringify(good);
  const hsText = JSON.stringify(HS);
  const valid = signValues(secret, HS, good);
  const [vh = '', , vs = ''] = valid.split('.');
  const cases: HostileCase[] = [];
  const add = (group: string, name: string, token: string, code: number): void => {
    cases.push({ group, name, token, code });
  };
  /** A token whose payload is `payloadText` (raw JSON), correctly signed with the app secret. */
  const withPayload = (payloadText: string): string => signText(secret, hsText, payloadText);
  const claim = (extra: string): string => withPayload(`{"user_id":"alice",${extra}}`);

  // alg none, and algorithms other than HS256.
  const g1 = 'alg none';
  add(g1, 'alg none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`, 43);
  add(g1, 'alg none, two parts only', `${b64({ alg: 'none' })}.${b64(good)}`, 43);
  add(g1, 'alg none, with a valid HMAC signature', signValues(secret, { alg: 'none', typ: 'JWT' }, good), 43);
  add(g1, 'alg "None" (case variant), signed', signValues(secret, { alg: 'None' }, good), 43);
  add(g1, 'alg "NONE", no signature', `${b64({ alg: 'NONE' })}.${b64(good)}.`, 43);
  add(g1, 'alg none, signature "devtoken"', `${b64({ alg: 'none' })}.${b64(good)}.devtoken`, 43);

  const g2 = 'algorithm confusion';
  add(g2, 'RS256 header, HMAC with the secret', signValues(secret, { alg: 'RS256', typ: 'JWT' }, good), 43);
  add(g2, 'ES256 header, HMAC with the secret', signValues(secret, { alg: 'ES256', typ: 'JWT' }, good), 43);
  add(g2, 'PS256 header, HMAC with the secret', signValues(secret, { alg: 'PS256' }, good), 43);
  add(g2, 'a real RS256 token', jwt.sign(good, rsa.privateKey, { algorithm: 'RS256' }), 43);
  add(g2, 'a real ES256 token', jwt.sign(good, ec.privateKey, { algorithm: 'ES256' }), 43);
  add(g2, 'HS256 signed with an RSA public key as the HMAC key', signValues(rsaPublicPem, HS, good), 43);
  add(g2, 'alg "hs256" (lower case), signed with the secret', signValues(secret, { alg: 'hs256', typ: 'JWT' }, good), 43);
  add(g2, 'HS384 with the secret', jwt.sign(good, secret, { algorithm: 'HS384', noTimestamp: true }), 43);
  add(g2, 'HS512 with the secret', jwt.sign(good, secret, { algorithm: 'HS512', noTimestamp: true }), 43);
  add(g2, 'alg ["HS256"] (an array), signed', signValues(secret, { alg: ['HS256'], typ: 'JWT' }, good), 43);
  add(g2, 'no alg at all, signed', signValues(secret, { typ: 'JWT' }, good), 43);
  add(g2, 'alg null, signed', signValues(secret, { alg: null }, good), 43);
  add(g2, 'an embedded jwk (attacker key), signed with it', signValues('attacker', { alg: 'HS256', jwk: { kty: 'oct', k: b64('attacker') } }, good), 43);
  add(g2, 'a kid naming another key, signed with the attacker key', signValues('attacker', { alg: 'HS256', kid: '../../dev/null' }, good), 43);
  add(g2, 'a jku URL, signed with the attacker key', signValues('attacker', { alg: 'HS256', jku: 'http://127.0.0.1:1/keys' }, good), 43);

  const g3 = 'changed token';
  add(g3, 'valid signature over a payload for another user', `${vh}.${b64({ ...good, user_id: 'mallory' })}.${vs}`, 43);
  add(g3, 'valid signature over a payload with a later exp', `${vh}.${b64({ ...good, exp: good.exp + 86400 * 365 })}.${vs}`, 43);
  add(g3, 'valid signature over a payload with server: true added', `${vh}.${b64({ ...good, server: true })}.${vs}`, 43);
  add(g3, 'valid signature under a changed header', `${b64({ alg: 'HS256' })}.${valid.split('.')[1]}.${vs}`, 43);
  add(g3, "another token's signature", `${valid.split('.').slice(0, 2).join('.')}.${signValues(secret, HS, { user_id: 'bob' }).split('.')[2]}`, 43);
  add(g3, 'signed with another secret', signValues(`${secret}x`, HS, good), 43);
  add(g3, 'signature with "=" padding', `${valid}=`, 43);
  add(g3, 'signature in base64 (+ and /), not base64url', `${vh}.${valid.split('.')[1]}.${Buffer.from(vs, 'base64url').toString('base64')}`, 43);
  add(g3, 'signature truncated by one character', valid.slice(0, -1), 43);
  add(g3, 'signature empty', `${vh}.${valid.split('.')[1]}.`, 43);

  const g4 = 'not JSON / not an object';
  add(g4, 'header not base64url', `h*d.${b64(good)}.${hmac(secret, `h*d.${b64(good)}`)}`, 43);
  add(g4, 'header is not JSON', signText(secret, '{alg:HS256}', goodText), 43);
  add(g4, 'header is a JSON array', signText(secret, '["HS256"]', goodText), 43);
  add(g4, 'header is a JSON string', signText(secret, '"HS256"', goodText), 43);
  add(g4, 'header is null', signText(secret, 'null', goodText), 43);
  add(g4, 'payload is not JSON', withPayload('{"user_id":"alice"'), 43);
  add(g4, 'payload with trailing garbage', withPayload(`${goodText}x`), 43);
  add(g4, 'payload is a JSON array', withPayload('["alice"]'), 43);
  add(g4, 'payload is a JSON string', withPayload('"alice"'), 43);
  add(g4, 'payload is a number', withPayload('42'), 43);
  add(g4, 'payload is null', withPayload('null'), 43);
  add(g4, 'payload is empty', withPayload(''), 43);
  add(g4, 'empty token', '', 43);
  add(g4, 'three empty parts', '..', 43);
  add(g4, 'four parts', `${valid}.x`, 43);
  add(g4, 'one part, not a stored session token', 'opaque-token-that-was-never-issued', 43);

  const g5 = 'duplicate keys';
  add(g5, 'payload: user_id twice (alice, mallory)', withPayload(`{"user_id":"alice","iat":${nowS},"user_id":"mallory"}`), 43);
  add(g5, 'payload: user_id twice (mallory, alice)', withPayload(`{"user_id":"mallory","iat":${nowS},"user_id":"alice"}`), 43);
  add(g5, 'payload: user_id twice, one spelled with an escape', withPayload(`{"user_id":"mallory","user\\u005fid":"alice"}`), 43);
  add(g5, 'payload: exp twice (past, then far future)', claim(`"exp":${Math.floor(nowS) - 10},"exp":${Math.floor(nowS) + 1e6}`), 43);
  add(g5, 'payload: iat twice', claim(`"iat":${nowS - 100},"iat":${nowS}`), 43);
  add(g5, 'payload: server twice (true, then false)', claim('"server":true,"server":false'), 43);
  add(g5, 'header: alg twice (none, then HS256)', signText(secret, '{"alg":"none","alg":"HS256","typ":"JWT"}', goodText), 43);
  add(g5, 'header: alg twice (HS256, HS256)', signText(secret, '{"alg":"HS256","typ":"JWT","alg":"HS256"}', goodText), 43);
  add(g5, 'header: typ twice', signText(secret, '{"alg":"HS256","typ":"JWT","typ":"JWT"}', goodText), 43);

  const g6 = 'huge';
  const pad = (length: number): string => {
    const base = signValues(secret, HS, { ...good, pad: '' });
    return signValues(secret, HS, { ...good, pad: 'x'.repeat(Math.ceil(((length - base.length) * 3) / 4) + 3) });
  };
  add(g6, `just over the limit (${MAX_TOKEN_LENGTH + 1}+ characters), validly signed`, pad(MAX_TOKEN_LENGTH + 1), 43);
  add(g6, 'about 12 KB, validly signed', pad(12_000), 43);
  add(g6, 'a long string without dots', 'A'.repeat(MAX_TOKEN_LENGTH + 1), 43);

  const g7 = 'wrong claim types';
  const badValues: Array<[string, string]> = [
    ['a string', '"1900000000"'],
    ['"NaN"', '"NaN"'],
    ['1e400 (Infinity in JSON.parse)', '1e400'],
    ['-1e400 (-Infinity)', '-1e400'],
    ['negative', '-1'],
    ['null', 'null'],
    ['true', 'true'],
    ['an array', '[1900000000]'],
    ['an object', '{"$date":1900000000}'],
  ];
  for (const name of ['exp', 'iat', 'nbf']) {
    for (const [label, text] of badValues) add(g7, `${name} ${label}`, claim(`"${name}":${text}`), 43);
  }
  add(g7, 'exp a float in the past', claim(`"exp":${Math.floor(nowS) - 100}.5`), 40);
  add(g7, 'nbf a float beyond the tolerance', claim(`"nbf":${Math.floor(nowS) + 60}.25`), 41);
  add(g7, 'iat far future (1e300)', claim('"iat":1e300'), 42);
  for (const [label, text] of [
    ['a number', '7'],
    ['a float', '7.5'],
    ['null', 'null'],
    ['true', 'true'],
    ['an array', '["alice"]'],
    ['an object', '{"id":"alice"}'],
  ] as const) {
    add(g7, `user_id ${label}`, withPayload(`{"user_id":${text},"iat":${nowS}}`), 43);
  }

  const g8 = 'wrong user or kind';
  add(g8, 'no user_id', withPayload(`{"iat":${nowS}}`), 46);
  add(g8, 'a token for another user (bob)', signValues(secret, HS, { ...good, user_id: 'bob' }), 46);
  add(g8, 'user_id differing in case (ALICE)', signValues(secret, HS, { ...good, user_id: 'ALICE' }), 46);
  add(g8, 'user_id with a trailing space', signValues(secret, HS, { ...good, user_id: 'alice ' }), 46);
  add(g8, 'user_id with a Cyrillic "а" (homoglyph)', signValues(secret, HS, { ...good, user_id: '\u0430lice' }), 46);
  add(g8, 'user_id empty', signValues(secret, HS, { ...good, user_id: '' }), 46);
  add(g8, 'a server token used as a user token', signValues(secret, HS, { server: true, iat: Math.floor(nowS), exp: Math.floor(nowS) + 300 }), 43);
  add(g8, 'a server token that names the user', signValues(secret, HS, { ...good, server: true }), 43);
  add(g8, 'a dev token while auth checks are on', `${b64(HS)}.${b64({ user_id: 'alice' })}.devtoken`, 43);
  add(g8, 'a dev token with alg none, auth checks on', `${b64({ alg: 'none' })}.${b64({ user_id: 'alice' })}.devtoken`, 43);

  const g9 = 'times';
  add(g9, 'expired (exp one second ago)', signValues(secret, HS, { ...good, exp: Math.floor(nowS) - 1 }), 40);
  add(g9, 'nbf beyond the tolerance', signValues(secret, HS, { ...good, nbf: Math.floor(nowS) + 30 }), 41);
  add(g9, 'iat beyond the tolerance', signValues(secret, HS, { ...good, iat: nowS + 30 }), 42);
  return cases;
}

/** Tokens that look odd but are valid, so the catalogue cannot pass by refusing everything. */
export function acceptedControls(secret: string, nowMs: number): Array<{ name: string; token: string }> {
  const nowS = nowMs / 1000;
  const good = { user_id: 'alice', iat: nowS, exp: Math.floor(nowS) + 3600 };
  return [
    { name: "tokenkit's own layout", token: signValues(secret, HS, good) },
    // The kid is the emulator's first secret's: the platform checks a token with the secret its kid
    // names, and refuses a kid it does not hold (the kid rule); a plain secret ignores the kid.
    { name: 'another header layout (slow path)', token: signValues(secret, { typ: 'JWT', alg: 'HS256', kid: 'initial' }, good) },
    { name: 'jsonwebtoken HS256', token: jwt.sign({ user_id: 'alice' }, secret, { algorithm: 'HS256' }) },
    { name: 'a float exp (RFC 7519 NumericDate)', token: signValues(secret, HS, { ...good, exp: good.exp + 0.5 }) },
    { name: 'iat and nbf just inside the tolerance', token: signValues(secret, HS, { ...good, iat: nowS + 4, nbf: Math.floor(nowS) + 4 }) },
    { name: 'a duplicate key nested in a custom claim (only the top level is checked)', token: signText(secret, JSON.stringify(HS), `{"user_id":"alice","meta":{"a":1,"a":2}}`) },
    { name: 'keys that hold quotes, colons and braces', token: signValues(secret, HS, { ...good, 'a":{"user_id': 'x:}{', 'b\\': '"\\' }) },
  ];
}
