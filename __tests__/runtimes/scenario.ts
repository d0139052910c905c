// The runtime matrix's scenario, on web-standard APIs and the public `tokenkit` API only: the same
// file runs in Node 20 and 22, Bun, Deno, workerd (Cloudflare Workers, no nodejs_compat) and
// Vercel's edge runtime. Each runtime's host (hosts/*.ts) serves `createScenarioApp`:
//
//   GET /scenario  mints (synchronously), verifies, calls getApp against the emulator, mints the
//                  fixed-clock vector, and reports what it saw as JSON;
//   GET /token     the token-provider handler (the user in `x-test-user`);
//   GET /bench     `npm run bench`'s per-runtime figures (bench/runtime-probe.ts), not a test.
//
// The test (matrix.runtime.ts) fetches both over HTTP on 127.0.0.1 and checks the answers.
import { ApiError, ServerClient, TokenError, type TokenProviderResponse } from 'tokenkit';
import { type RawHmac, probe } from '../../bench/runtime-probe';

/** What every host hands the scenario: the emulator's credentials and URL, and the runtime's name. */
export interface ScenarioConfig {
  runtime: string;
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
}

/** The fixed clock of the vector (ms): the same as the runtime contract's vectors. */
export const VECTOR_NOW_MS = 1_700_000_000_123;
/** The vector's input: claims with non-ASCII text and an emoji, so UTF-8 encoding is exercised too. */
export const VECTOR_INPUT = { user_id: 'alice', claims: { team: 'red', note: 'ünï 🎉' } };

/** What GET /scenario answers. */
export interface ScenarioReport {
  runtime: string;
  /** Whether generateUserToken returned a string (not a promise). */
  mintIsSynchronous: boolean;
  /** A token minted now for alice (600 s). */
  token: string;
  /** The user id verifyUserToken found in it. */
  verifiedUserId: string;
  /** A tampered token refused: the error's name, code, and whether it is a TokenError here. */
  tamperedError: { name: string; code: unknown; isTokenError: boolean };
  /** getApp() against the emulator: a field of the answer. */
  app: { jwtEnabled: boolean; revokeTokensIssuedBefore: string | null };
  /** getUser of an unknown user: the ApiError's code and status. */
  apiError: { name: string; code: number; status: number; isApiError: boolean };
  /** The token minted on the fixed clock: the same bytes on every runtime. */
  vector: string;
  /** Where the secret showed, if anywhere (JSON, String, error messages): empty when nowhere. */
  secretSeenIn: string[];
}

/** Mints the vector with Date.now held at {@link VECTOR_NOW_MS}, on a client of its own (a fresh clock). */
function mintVector(config: ScenarioConfig, secret: string): string {
  const realNow = Date.now;
  Date.now = () => VECTOR_NOW_MS;
  try {
    return new ServerClient({ apiKey: config.apiKey, apiSecret: secret, baseUrl: config.baseUrl }).generateUserToken(VECTOR_INPUT);
  } finally {
    Date.now = realNow;
  }
}

async function runScenario(config: ScenarioConfig, vectorSecret: string): Promise<ScenarioReport> {
  const client = new ServerClient({ apiKey: config.apiKey, apiSecret: config.apiSecret, baseUrl: config.baseUrl, maxRetries: 0 });
  const minted: unknown = client.generateUserToken({ user_id: 'alice', validity_in_seconds: 600 });
  const token = typeof minted === 'string' ? minted : await (minted as Promise<string>);
  const claims = await client.verifyUserToken(token, { userId: 'alice' });

  const secretSeenIn: string[] = [];
  const look = (where: string, text: string): void => {
    if (text.includes(config.apiSecret)) secretSeenIn.push(where);
  };
  look('JSON.stringify(client)', JSON.stringify(client) ?? '');
  look('String(client)', String(client));

  let tamperedError: ScenarioReport['tamperedError'] = { name: 'none', code: 'none', isTokenError: false };
  try {
    await client.verifyUserToken(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'));
  } catch (err) {
    const e = err as { name: string; code: unknown; message: string; stack?: string };
    tamperedError = { name: e.name, code: e.code, isTokenError: err instanceof TokenError };
    look('TokenError message and stack', `${e.message}\n${e.stack ?? ''}`);
  }

  const app = await client.getApp();
  let apiError: ScenarioReport['apiError'] = { name: 'none', code: 0, status: 0, isApiError: false };
  try {
    await client.getUser('nobody-here');
  } catch (err) {
    const e = err as { name: string; code: number; status: number; message: string };
    apiError = { name: e.name, code: e.code, status: e.status, isApiError: err instanceof ApiError };
    look('ApiError message', e.message);
  }

  return {
    runtime: config.runtime,
    mintIsSynchronous: typeof minted === 'string',
    token,
    verifiedUserId: claims.user_id,
    tamperedError,
    app: { jwtEnabled: app.jwt_enabled, revokeTokensIssuedBefore: app.revoke_tokens_issued_before?.toISOString() ?? null },
    apiError,
    vector: mintVector(config, vectorSecret),
    secretSeenIn,
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/**
 * The scenario as a web-standard app. `vectorSecret` is the vector's secret (the test passes the
 * runtime contract's). A failure answers 500 with the error's name and message, for the test to show.
 */
export function createScenarioApp(config: ScenarioConfig, vectorSecret: string, rawHmac: (secret: string) => RawHmac): (request: Request) => Promise<Response> {
  const client = new ServerClient({ apiKey: config.apiKey, apiSecret: config.apiSecret, baseUrl: config.baseUrl });
  const tokenEndpoint = client.tokenProvider({ authenticate: (request: Request) => request.headers.get('x-test-user'), validity_in_seconds: 300 });
  return async (request) => {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === '/scenario') return json(await runScenario(config, vectorSecret));
      if (pathname === '/token') return await tokenEndpoint(request);
      if (pathname === '/bench') {
        const q = new URL(request.url).searchParams;
        return json(await probe(rawHmac(config.apiSecret), config.apiSecret, Number(q.get('rounds') ?? 5), Number(q.get('roundMs') ?? 150)));
      }
      return json({ error: 'not_found' }, 404);
    } catch (err) {
      const e = err as Error;
      return json({ error: 'scenario_failed', name: e.name, message: e.message, stack: e.stack }, 500);
    }
  };
}

export type { TokenProviderResponse };
