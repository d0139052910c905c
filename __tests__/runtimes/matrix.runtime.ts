// The runtime matrix: the same scenario for real in Node 20, Node 22, Bun, Deno, workerd
// (Cloudflare Workers through miniflare, without nodejs_compat) and Vercel's edge runtime, each
// running the built package as that runtime's bundler resolves it:
//   1. mint a token (synchronously);  2. verify it;  3. getApp against an emulator on 127.0.0.1;
//   4. serve the token-provider handler, and fetch a token from it (over HTTP, from here).
// Plus the fixed-clock vector, byte for byte the runtime contract's, typed errors, and the secret
// shown nowhere.
import * as jose from 'jose';
import { ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { TOKEN_VECTORS, VECTOR_SECRET } from '../runtime/contract';
import { RUNTIMES, type RuntimeName, type Running, startRuntime } from './runners';
import type { ScenarioReport, TokenProviderResponse } from './scenario';

const API_SECRET = 'runtime-matrix-secret-0123456789abcdef';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: 'matrix-key', apiSecret: API_SECRET });
  await new ServerClient({ apiKey: 'matrix-key', apiSecret: API_SECRET, baseUrl: emulator.url }).upsertUsers([{ id: 'alice', name: 'Alice' }]);
});
afterAll(() => emulator.close());

/** Which runtimes may import `node:` modules: those that have them. workerd (no nodejs_compat) and the edge runtime have none. */
const HAS_NODE_MODULES: Record<RuntimeName, boolean> = { node20: true, node22: true, bun: true, deno: true, workerd: false, 'edge-runtime': false };

describe.each(RUNTIMES)('%s', (name) => {
  let running: (Running & { nodeImports: string[] }) | undefined;
  beforeAll(async () => {
    running = await startRuntime(name, {
      TOKENKIT_API_KEY: 'matrix-key',
      TOKENKIT_API_SECRET: API_SECRET,
      TOKENKIT_BASE_URL: emulator.url,
      VECTOR_SECRET,
    });
  });
  afterAll(() => running?.close());

  test('its bundle of tokenkit imports a node: module only where the runtime has them', () => {
    if (!HAS_NODE_MODULES[name]) expect(running?.nodeImports).toEqual([]);
  });

  test('mints synchronously, verifies, calls getApp on the emulator, and mints the fixed-clock vector byte for byte', async () => {
    const res = await fetch(`${running?.url}/scenario`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${name} /scenario answered ${res.status}: ${text}`);
    const report = JSON.parse(text) as ScenarioReport;
    expect(report.runtime).toBe(name);
    expect(report.mintIsSynchronous).toBe(true);
    const { payload } = await jose.jwtVerify(report.token, new TextEncoder().encode(API_SECRET), { algorithms: ['HS256'] });
    expect(payload['user_id']).toBe('alice');
    expect((payload.exp ?? 0) - Math.floor(payload.iat ?? 0)).toBe(600);
    expect(report.verifiedUserId).toBe('alice');
    expect(report.tamperedError).toEqual({ name: 'TokenError', code: 43, isTokenError: true });
    expect(report.app).toEqual({ jwtEnabled: true, revokeTokensIssuedBefore: null });
    expect(report.apiError).toEqual({ name: 'ApiError', code: 16, status: 404, isApiError: true });
    expect(report.vector).toBe(TOKEN_VECTORS.user);
    expect(report.secretSeenIn).toEqual([]);
  });

  test('serves the token-provider handler: a token for the caller, no-store; 401 without a user', async () => {
    const res = await fetch(`${running?.url}/token`, { headers: { 'x-test-user': 'alice' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TokenProviderResponse;
    expect(body.user_id).toBe('alice');
    const { payload } = await jose.jwtVerify(body.token, new TextEncoder().encode(API_SECRET), { algorithms: ['HS256'] });
    expect(body.expires_at).toBe((payload.exp ?? 0) * 1000);
    // The token works on the platform: the emulator accepts it on a client route.
    const connect = await fetch(`${emulator.url}/v1/connect`, {
      method: 'POST',
      headers: { 'Api-Key': 'matrix-key', Authorization: `Bearer ${body.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ user_id: 'alice' }),
    });
    expect(connect.status).toBe(200);

    const anonymous = await fetch(`${running?.url}/token`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
  });
});
