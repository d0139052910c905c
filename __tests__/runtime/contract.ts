// The contract every runtime implementation (src/runtime/*.ts) must pass, and the token vectors
// every wiring of tokenkit must reproduce byte for byte. Run by node.test.ts and portable.test.ts;
// a new runtime adds one such file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from '../../src/runtime';
import { SigningKey } from '../../src/tokens/key';
import { mintDevToken, mintLegacyToken, mintServerToken, mintUserToken } from '../../src/tokens/mint';
import { checkUserToken } from '../../src/tokens/verify';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const b64url = (h: string): string => Buffer.from(h, 'hex').toString('base64url');
const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** RFC 4231 test cases 1, 2, 5 (truncated to 128 bits), 6 and 7: the ones whose data is text. */
const RFC4231: Array<{ name: string; key: string; data: string; mac: string; truncated?: boolean }> = [
  { name: 'case 1', key: '0b'.repeat(20), data: 'Hi There', mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { name: 'case 2 (short key)', key: '4a656665', data: 'what do ya want for nothing?', mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { name: 'case 5 (truncation)', key: '0c'.repeat(20), data: 'Test With Truncation', mac: 'a3b6167473100ee06e0c796c2955552b', truncated: true },
  {
    name: 'case 6 (key longer than a block)',
    key: 'aa'.repeat(131),
    data: 'Test Using Larger Than Block-Size Key - Hash Key First',
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    name: 'case 7 (key and data longer than a block)',
    key: 'aa'.repeat(131),
    data: 'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

/** The checks one {@link Runtime} must pass. */
export function runtimeContract(rt: Runtime): void {
  describe('HMAC-SHA256', () => {
    test.each(RFC4231)('RFC 4231 $name', ({ key, data, mac, truncated }) => {
      const got = rt.hmacSha256Base64url(rt.prepareHmacKey(hex(key)), data);
      if (truncated) expect(Buffer.from(got, 'base64url').toString('hex').slice(0, mac.length)).toBe(mac);
      else expect(got).toBe(b64url(mac));
    });

    test('a prepared key signs many times with the same result, and keys do not share state', () => {
      const a = rt.prepareHmacKey(hex('0b'.repeat(20)));
      const b = rt.prepareHmacKey(hex('4a656665'));
      for (let i = 0; i < 3; i++) {
        expect(rt.hmacSha256Base64url(a, 'Hi There')).toBe(b64url(RFC4231[0]!.mac));
        expect(rt.hmacSha256Base64url(b, 'what do ya want for nothing?')).toBe(b64url(RFC4231[1]!.mac));
      }
    });

    test('the data is read as UTF-8 (non-ASCII and astral characters)', () => {
      const key = rt.prepareHmacKey(hex('4a656665'));
      // Reference: HMAC over the UTF-8 bytes, by node:crypto.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createHmac } = require('node:crypto') as typeof import('node:crypto');
      const text = 'ünïcødé 🎉 \u0000 end';
      expect(rt.hmacSha256Base64url(key, text)).toBe(createHmac('sha256', Buffer.from('Jefe')).update(text, 'utf8').digest('base64url'));
    });

    test('constantTimeEqual: equal, different, different lengths, empty', () => {
      expect(rt.constantTimeEqual('abc', 'abc')).toBe(true);
      expect(rt.constantTimeEqual('abc', 'abd')).toBe(false);
      expect(rt.constantTimeEqual('abc', 'abcd')).toBe(false);
      expect(rt.constantTimeEqual('', '')).toBe(true);
      expect(rt.constantTimeEqual('', 'a')).toBe(false);
    });
  });

  describe('base64url', () => {
    test.each([
      [bytes(), ''],
      [bytes(0), 'AA'],
      [bytes(0xff), '_w'],
      [bytes(0xfb, 0xff), '-_8'],
      [bytes(0xfb, 0xff, 0xbf), '-_-_'],
      [bytes(1, 2, 3, 4), 'AQIDBA'],
    ])('encodes %p as %p without padding, and back', (input, text) => {
      expect(rt.base64urlEncode(input)).toBe(text);
      expect([...rt.base64urlDecode(text)]).toEqual([...input]);
    });

    test('every byte value and every length 0..64 round-trips, as Buffer encodes it', () => {
      const all = new Uint8Array(256).map((_, i) => i);
      expect(rt.base64urlEncode(all)).toBe(Buffer.from(all).toString('base64url'));
      for (let n = 0; n <= 64; n++) {
        const input = all.subarray(256 - n);
        const text = rt.base64urlEncode(input);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect([...rt.base64urlDecode(text)]).toEqual([...input]);
      }
    });

    test('encodes a subarray (a view into a larger buffer) by its own bytes only', () => {
      const big = bytes(9, 9, 1, 2, 3, 9);
      expect(rt.base64urlEncode(big.subarray(2, 5))).toBe('AQID');
    });

    test('decodes as Node does: padding accepted, + and / read, trailing bits dropped', () => {
      for (const text of ['AQID', 'AQIDBA==', 'AQIDBA', '-_8', '+/8=', 'A', 'AQI', 'AQIDB', '']) {
        expect([...rt.base64urlDecode(text)]).toEqual([...Buffer.from(text, 'base64url')]);
      }
    });

    test('text: UTF-8 both ways, a leading BOM kept, invalid bytes read as U+FFFD, as Buffer does', () => {
      for (const text of ['', 'plain', '{"user_id":"alice"}', 'ünïcødé 🎉', '\uFEFFbom', 'a\u0000b']) {
        const encoded = rt.base64urlEncodeText(text);
        expect(encoded).toBe(Buffer.from(text, 'utf8').toString('base64url'));
        expect(rt.base64urlDecodeText(encoded)).toBe(text);
      }
      // A lone surrogate is written as U+FFFD, by both.
      expect(rt.base64urlEncodeText('x\uD800y')).toBe(Buffer.from('x\uD800y').toString('base64url'));
      for (const invalid of ['gA', '_-8', '4pyT4p', 'wMA']) {
        expect(rt.base64urlDecodeText(invalid)).toBe(Buffer.from(invalid, 'base64url').toString('utf8'));
      }
    });
  });

  describe('random', () => {
    test('randomId is a lower-case RFC 4122 version 4 UUID, and 1000 of them are distinct', () => {
      const ids = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const id = rt.randomId();
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        ids.add(id);
      }
      expect(ids.size).toBe(1000);
    });

    test('randomBytes gives the length asked for, beyond one getRandomValues call too', () => {
      expect(rt.randomBytes(0)).toHaveLength(0);
      const a = rt.randomBytes(32);
      expect(a).toBeInstanceOf(Uint8Array);
      expect(a).toHaveLength(32);
      expect(Buffer.from(a).equals(Buffer.from(rt.randomBytes(32)))).toBe(false);
      const big = rt.randomBytes(70_000);
      expect(big).toHaveLength(70_000);
      expect(big.subarray(66_000).some((b) => b !== 0)).toBe(true);
    });
  });

  describe('environment and version', () => {
    test('env() reads the process environment (TOKENKIT_* fallbacks)', () => {
      process.env['TOKENKIT_CONTRACT_PROBE'] = 'probe-value';
      try {
        expect(rt.env()['TOKENKIT_CONTRACT_PROBE']).toBe('probe-value');
        expect(rt.env()['TOKENKIT_CONTRACT_MISSING']).toBeUndefined();
      } finally {
        delete process.env['TOKENKIT_CONTRACT_PROBE'];
      }
    });

    test('version is the one in package.json, and platform is a User-Agent product token', () => {
      const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
      expect(rt.version).toBe(pkg.version);
      expect(rt.platform).toMatch(/^[a-z0-9._/-]{1,64}$/i);
    });
  });
}

/** The secret of {@link TOKEN_VECTORS}. */
export const VECTOR_SECRET = 'contract-secret-ünï';
const NOW_MS = 1_700_000_000_123;

/**
 * Tokens minted at a fixed time with a fixed secret: every runtime must produce exactly these
 * (computed once on Node; node.test.ts checks the signed ones with jsonwebtoken, an independent HS256).
 */
export const TOKEN_VECTORS = {
  user:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZWFtIjoicmVkIiwibm90ZSI6IsO8bsOvIPCfjokiLCJ1c2VyX2lkIjoiYWxpY2UiLCJpYXQiOjE3MDAwMDAwMDAuMTIzLCJleHAiOjE3MDAwMDM2MDB9.nEaxPdb6LMICNfk9oEROYr97HYuOnlruFqhnMidGz84',
  legacy:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiYm9iQGV4YW1wbGUuY29tIiwiaWF0IjoxNzAwMDAwMDAwLjEyMywiZXhwIjoxODAwMDAwMDAwfQ.0m9HdJQJmdbjnUFI0ad1PIpO_Q3RemV6-Er-CnrJT2k',
  server:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXJ2ZXIiOnRydWUsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwMzAwfQ.kCQkYx1Y38Dt6UkdvOEHZvp2OzNsd0g-1dZOpB-Ylw4',
  dev: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiY2Fyb2wifQ.devtoken',
};

/** The tokens of {@link TOKEN_VECTORS}, minted by whatever runtime `src/runtime` is wired to. */
export function mintVectors(): typeof TOKEN_VECTORS {
  const key = SigningKey.from(VECTOR_SECRET);
  return {
    user: mintUserToken(key, { user_id: 'alice', claims: { team: 'red', note: 'ünï 🎉' } }, NOW_MS),
    legacy: mintLegacyToken(key, 'bob@example.com', 1_800_000_000, undefined, NOW_MS),
    server: mintServerToken(key, NOW_MS),
    dev: mintDevToken('carol'),
  };
}

/** Token vectors: minted byte for byte, and verified, by the wired runtime. */
export function tokenVectorContract(): void {
  test('mints exactly the token vectors', () => {
    expect(mintVectors()).toEqual(TOKEN_VECTORS);
  });


  test('verifies the vectors, and refuses them with a wrong secret or one changed character', () => {
    const key = SigningKey.from(VECTOR_SECRET);
    expect(checkUserToken(key, TOKEN_VECTORS.user, { nowMs: NOW_MS }).claims).toEqual({
      team: 'red',
      note: 'ünï 🎉',
      user_id: 'alice',
      iat: NOW_MS / 1000,
      exp: 1_700_003_600,
    });
    expect(checkUserToken(key, TOKEN_VECTORS.legacy, { nowMs: NOW_MS }).claims).toMatchObject({ user_id: 'bob@example.com' });
    expect(checkUserToken(key, TOKEN_VECTORS.dev, { nowMs: NOW_MS, disableAuthChecks: true }).kind).toBe('dev');
    expect(() => checkUserToken(SigningKey.from('another'), TOKEN_VECTORS.user, { nowMs: NOW_MS })).toThrow(/signature is invalid/);
    const last = TOKEN_VECTORS.user.slice(-1);
    const changed = TOKEN_VECTORS.user.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    expect(() => checkUserToken(key, changed, { nowMs: NOW_MS })).toThrow(/signature is invalid/);
  });
}
