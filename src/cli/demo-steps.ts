import type { ServerClient } from '../server-client';
import { TokenkitError } from '../errors';
import { UserClient } from '../user-client';
import { decodeToken } from './token-command';
import { relativeTime, shortToken } from './time-words';

/** What the steps run against: an admin client, and what a user's app needs to connect. */
export interface DemoContext {
  client: ServerClient;
  apiKey: string;
  baseUrl: string;
  /** Makes a user id for this run (on a shared platform, a unique one). */
  id(name: string): string;
  /** Tokens kept between steps (never printed whole). */
  tokens: Map<string, string>;
}

/** One step of the story: a title, and a body that returns what it saw and checks it. */
export interface DemoStep {
  title: string;
  /** Returns the lines to print; throws a {@link StepFailure} where the outcome is not the described one. */
  run(ctx: DemoContext): Promise<string[]>;
}

/** A step did not behave as described. */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new StepFailure(message);
}

function userClient(ctx: DemoContext): UserClient {
  return new UserClient({ apiKey: ctx.apiKey, baseUrl: ctx.baseUrl });
}

/** Connects a user with a token; the result, or the platform's refusal code. */
async function connect(ctx: DemoContext, userId: string, token: string | null): Promise<{ auth: string } | { code: number | string; message: string }> {
  const chat = userClient(ctx);
  try {
    const res = await chat.connectUser({ id: userId }, token);
    return { auth: res.auth };
  } catch (err) {
    if (err instanceof TokenkitError) return { code: err.code, message: err.message };
    throw err;
  } finally {
    await chat.disconnectUser();
  }
}

async function expectAccepted(ctx: DemoContext, userId: string, token: string, what: string, auth = 'jwt'): Promise<string> {
  const r = await connect(ctx, userId, token);
  if ('code' in r) throw new StepFailure(`${what} should connect, but the platform refused it with code ${r.code}: ${r.message}`);
  expect(r.auth === auth, `${what} connected with auth "${r.auth}", expected "${auth}"`);
  return `POST /v1/connect as ${userId} with ${shortToken(token)} -> accepted (auth: ${r.auth})`;
}

async function expectRefused(ctx: DemoContext, userId: string, token: string, code: number, what: string): Promise<string> {
  const r = await connect(ctx, userId, token);
  if (!('code' in r)) throw new StepFailure(`${what} should be refused with ${code}, but it connected (auth: ${r.auth})`);
  expect(r.code === code, `${what} was refused with code ${r.code}, expected ${code}: ${r.message}`);
  return `POST /v1/connect as ${userId} with ${shortToken(token)} -> refused, code ${r.code} (${firstClause(r.message)})`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function firstClause(message: string): string {
  const cut = message.split(/[:(]/)[0] ?? message;
  return cut.trim();
}

function describeToken(token: string): string {
  const d = decodeToken(token);
  if ('error' in d) return `${shortToken(token)} (opaque)`;
  const now = Date.now();
  const iat = typeof d.claims['iat'] === 'number' ? `issued ${relativeTime(d.claims['iat'] * 1000, now)} (iat ${d.claims['iat']})` : 'no iat';
  const exp = typeof d.claims['exp'] === 'number' ? `expires ${relativeTime(d.claims['exp'] * 1000, now)}` : 'never expires';
  return `${shortToken(token)} user_id ${String(d.claims['user_id'])}, ${iat}, ${exp}`;
}

/** The story, in order. Each step depends on the ones before it. */
export const DEMO_STEPS: DemoStep[] = [
  {
    title: 'Mint a user token on your backend (no network call)',
    async run(ctx) {
      const alice = ctx.id('alice');
      const token = ctx.client.generateUserToken({ user_id: alice, validity_in_seconds: 3600 });
      ctx.tokens.set('alice-old', token);
      const d = decodeToken(token);
      expect(!('error' in d) && d.claims['user_id'] === alice, 'the minted token should carry user_id ' + alice);
      return [`client.generateUserToken({ user_id: '${alice}', validity_in_seconds: 3600 })`, `token ${describeToken(token)}`];
    },
  },
  {
    title: "Connect with it from the user's app",
    async run(ctx) {
      return [await expectAccepted(ctx, ctx.id('alice'), ctx.tokens.get('alice-old') as string, "alice's token")];
    },
  },
  {
    title: "Revoke the user's tokens",
    async run(ctx) {
      const alice = ctx.id('alice');
      const { revokeTokensIssuedBefore } = await ctx.client.revokeUserTokens(alice);
      return [`client.revokeUserTokens('${alice}') -> revoke_tokens_issued_before ${revokeTokensIssuedBefore.toISOString()}`];
    },
  },
  {
    title: 'The old token is refused (44), a new one works at once',
    async run(ctx) {
      const alice = ctx.id('alice');
      const refused = await expectRefused(ctx, alice, ctx.tokens.get('alice-old') as string, 44, 'the token minted before the cutoff');
      const fresh = ctx.client.generateUserToken({ user_id: alice });
      const accepted = await expectAccepted(ctx, alice, fresh, 'a token minted right after the cutoff');
      return [refused, `new token ${describeToken(fresh)}`, accepted, 'iat has milliseconds: "revoke, then mint" works in the same second'];
    },
  },
  {
    title: 'Undo the revocation: the old token works again',
    async run(ctx) {
      const alice = ctx.id('alice');
      await ctx.client.restoreUserTokens(alice);
      return [`client.restoreUserTokens('${alice}') -> revoke_tokens_issued_before null`, await expectAccepted(ctx, alice, ctx.tokens.get('alice-old') as string, 'the old token')];
    },
  },
  {
    title: "App-level revocation: every user's older tokens are refused",
    async run(ctx) {
      const alice = ctx.id('alice');
      const bob = ctx.id('bob');
      const bobToken = ctx.client.generateUserToken({ user_id: bob });
      // The cutoff a few ms after bob's token, and the next token a few ms after the cutoff:
      // revoked iff iat * 1000 < cutoff_ms, exact to the millisecond.
      await pause(3);
      const before = new Date();
      await ctx.client.revokeAppTokens(before);
      await pause(3);
      const lines = [`client.revokeAppTokens(${before.toISOString()})`];
      lines.push(await expectRefused(ctx, alice, ctx.tokens.get('alice-old') as string, 44, "alice's old token"));
      lines.push(await expectRefused(ctx, bob, bobToken, 44, "bob's token"));
      lines.push(await expectAccepted(ctx, bob, ctx.client.generateUserToken({ user_id: bob }), "bob's new token"));
      await ctx.client.restoreAppTokens();
      lines.push('client.restoreAppTokens()', await expectAccepted(ctx, bob, bobToken, "bob's old token, after the undo"));
      return lines;
    },
  },
  {
    title: 'A platform-issued token (POST /v1/users/{id}/token)',
    async run(ctx) {
      const carol = ctx.id('carol');
      await ctx.client.upsertUsers([{ id: carol, name: 'Carol' }]);
      const { token, expiresAt } = await ctx.client.issueToken(carol);
      const days = Math.round((expiresAt.getTime() - Date.now()) / 86_400_000);
      expect(days === 7, `a platform-issued token should last 7 days by default, this one ${days}`);
      return [`client.issueToken('${carol}') -> ${describeToken(token)}`, await expectAccepted(ctx, carol, token, "the platform's token")];
    },
  },
  {
    title: 'Compatibility mode: legacy session-token code gets JWTs',
    async run(ctx) {
      const dave = ctx.id('dave');
      await ctx.client.upsertUsers([{ id: dave, name: 'Dave', plan: 'pro' }]);
      const lines: string[] = [];
      try {
        await ctx.client.issueToken(dave, { compatibilityMode: true });
        throw new StepFailure('with jwt_compatibility_mode off, issuing through PUT /v1/users/{id} should be refused');
      } catch (err) {
        if (err instanceof StepFailure) throw err;
        expect(err instanceof TokenkitError && err.code === 4, `the refusal should be code 4, got ${err instanceof TokenkitError ? err.code : String(err)}`);
        lines.push(`mode off: PUT with issue_session_token -> refused, code 4: "${(err as Error).message.split('. ')[0]}."`);
      }
      const untouched = await ctx.client.getUser(dave);
      expect(untouched.requires_token === false, 'the refused request should change nothing');
      await ctx.client.updateApp({ jwt_compatibility_mode: true });
      lines.push('client.updateApp({ jwt_compatibility_mode: true })');
      const { token } = await ctx.client.issueToken(dave, { compatibilityMode: true });
      const after = await ctx.client.getUser(dave);
      expect(after['plan'] === 'pro' && after.name === 'Dave', 'the profile should be kept by the compatibility-mode issue');
      lines.push(`mode on: PUT with issue_session_token -> session_tokens[0] is a JWT: ${describeToken(token)}`);
      lines.push(await expectAccepted(ctx, dave, token, 'the compatibility-mode token'));
      await ctx.client.updateApp({ jwt_compatibility_mode: false });
      return lines;
    },
  },
  {
    title: 'A dev token, accepted only while auth checks are disabled',
    async run(ctx) {
      const erin = ctx.id('erin');
      const dev = ctx.client.devToken(erin);
      const lines = [`client.devToken('${erin}') -> ${shortToken(dev)} (signature "devtoken": anyone can forge it)`];
      lines.push(await expectRefused(ctx, erin, dev, 43, 'a dev token with auth checks on'));
      await ctx.client.updateApp({ disable_auth_checks: true });
      lines.push('client.updateApp({ disable_auth_checks: true })  # development only');
      try {
        lines.push(await expectAccepted(ctx, erin, dev, 'the dev token', 'dev'));
      } finally {
        await ctx.client.updateApp({ disable_auth_checks: false });
      }
      lines.push('client.updateApp({ disable_auth_checks: false })', await expectRefused(ctx, erin, dev, 43, 'the dev token once checks are back on'));
      return lines;
    },
  },
  {
    title: 'A guest: the platform gives it a token (24 hours)',
    async run(ctx) {
      const chat = userClient(ctx);
      const guest = ctx.id('visitor');
      try {
        const res = await chat.setGuestUser({ id: guest, name: 'Visitor' });
        expect(res.user?.role === 'guest', `the guest should have role guest, got ${String(res.user?.role)}`);
        const me = await chat.updateMe({ set: { name: 'Visitor 42' } });
        expect(me.name === 'Visitor 42', 'a guest may change its own name');
        return [`chat.setGuestUser({ id: '${guest}' }) -> role ${res.user?.role}, auth ${res.auth}`, `chat.updateMe({ set: { name: 'Visitor 42' } }) -> ok`];
      } finally {
        await chat.disconnectUser();
      }
    },
  },
  {
    title: 'An anonymous reader: may read, may not write',
    async run(ctx) {
      const chat = userClient(ctx);
      try {
        const res = await chat.connectAnonymousUser();
        expect(res.auth === 'anonymous', `auth should be anonymous, got ${res.auth}`);
        const carol = await chat.getUser(ctx.id('carol'));
        let refusal: string | undefined;
        try {
          await chat.updateMe({ set: { name: 'Nobody' } });
        } catch (err) {
          expect(err instanceof TokenkitError && err.code === 17, `a write should be refused with 17, got ${err instanceof TokenkitError ? err.code : String(err)}`);
          refusal = 'code 17';
        }
        expect(refusal !== undefined, 'an anonymous write should be refused');
        return [`chat.connectAnonymousUser() -> auth ${res.auth}`, `chat.getUser('${carol.id}') -> ${carol.name ?? carol.id}`, `chat.updateMe(...) -> refused, ${refusal}`];
      } finally {
        await chat.disconnectUser();
      }
    },
  },
];
