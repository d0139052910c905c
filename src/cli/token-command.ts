import { Command, Option } from 'commander';
import { ServerClient } from '../server-client';
import { TokenError } from '../errors';
import { userIdSchema } from '../schemas/common';
import { decodeJsonSegment } from '../tokens/jws';
import { toKeySet } from '../tokens/keyring';
import { DEFAULT_VALIDITY_SECONDS, MAX_VALIDITY_SECONDS, mintUserToken } from '../tokens/mint';
import { verifyUserToken } from '../tokens/verify-user-token';
import { type ConnectionFlags, addConnectionOptions, requirePlatform, requireSecret, resolveConnection } from './config';
import { EXIT, type ExitCode, usageError } from './exit-codes';
import { parsePositiveInt, parseUserId, readTokenArgument } from './parse';
import { type Io, processIo, runCommand } from './run';
import { isoOf, relativeTime } from './time-words';

/** A token's parts, read without checking the signature. */
export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  kind: 'jwt' | 'dev';
}

/** Reads a token's header and claims without a secret; a usage-free explanation where it is not a JWT. */
export function decodeToken(token: string): DecodedToken | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return {
      error:
        parts.length === 1
          ? 'not a JWT: it has no dots (an opaque legacy session token, which only the platform can check)'
          : `not a JWT: expected three dot-separated parts, found ${parts.length}`,
    };
  }
  const header = decodeJsonSegment(parts[0] ?? '');
  if (!header) return { error: 'not a JWT: the header is not base64url-encoded JSON' };
  const claims = decodeJsonSegment(parts[1] ?? '');
  if (!claims) return { error: 'not a JWT: the payload is not base64url-encoded JSON' };
  return { header, claims, kind: parts[2] === 'devtoken' ? 'dev' : 'jwt' };
}

/** The times of a token's claims in words (`issued: ... (3 minutes ago)`), one line each. */
export function timeLines(claims: Record<string, unknown>, nowMs: number): string[] {
  const lines: string[] = [];
  const at = (name: string, label: string, past: string, future: string) => {
    const v = claims[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      lines.push(`${label} ${JSON.stringify(v)} (not a number of seconds: the platform refuses it, 43)`);
      return;
    }
    const ms = Math.round(v * 1000);
    lines.push(`${label} ${isoOf(ms)} (${ms <= nowMs ? past : future} ${relativeTime(ms, nowMs)})`);
  };
  at('iat', 'issued:    ', 'issued', 'issued');
  at('nbf', 'not before:', 'valid since', 'valid');
  at('exp', 'expires:   ', 'expired', 'expires');
  if (claims['exp'] === undefined) lines.push('expires:    never (no exp claim)');
  if (claims['iat'] === undefined) lines.push('issued:     unknown (no iat: any revocation cutoff revokes it)');
  return lines;
}

function describeDecoded(d: DecodedToken, nowMs: number): string {
  const kind = d.kind === 'dev' ? 'dev token (unsigned: accepted only while the app disables auth checks)' : `JWT, alg ${String(d.header['alg'])}`;
  const lines = [
    `kind:       ${kind}`,
    `header:     ${JSON.stringify(d.header)}`,
    `claims:     ${JSON.stringify(d.claims)}`,
    `user:       ${typeof d.claims['user_id'] === 'string' ? d.claims['user_id'] : '(no user_id claim)'}`,
    ...timeLines(d.claims, nowMs),
  ];
  return lines.join('\n') + '\n';
}

interface MintFlags extends ConnectionFlags {
  user: string;
  validity?: number;
  json?: boolean;
}

interface VerifyFlags extends ConnectionFlags {
  user?: string;
  online?: boolean;
  disableAuthChecks?: boolean;
  json?: boolean;
}

async function mint(io: Io, flags: MintFlags): Promise<ExitCode> {
  const secret = requireSecret(await resolveConnection(flags, io.env));
  const nowMs = Date.now();
  const validity = flags.validity ?? DEFAULT_VALIDITY_SECONDS;
  const token = mintUserToken(toKeySet(secret), { user_id: flags.user, validity_in_seconds: validity }, nowMs);
  const expiresAt = (Math.floor(nowMs / 1000) + validity) * 1000;
  io.out(flags.json ? JSON.stringify({ user_id: flags.user, token, expires_at: expiresAt }) + '\n' : token + '\n');
  return EXIT.ok;
}

async function decode(io: Io, tokenArg: string, flags: { json?: boolean }): Promise<ExitCode> {
  const token = await readTokenArgument(tokenArg);
  const d = decodeToken(token);
  if ('error' in d) {
    io.err(`tokenkit: ${d.error}\n`);
    return EXIT.failed;
  }
  io.out(flags.json ? JSON.stringify({ kind: d.kind, header: d.header, claims: d.claims }) + '\n' : describeDecoded(d, Date.now()));
  return EXIT.ok;
}

async function verify(io: Io, tokenArg: string, flags: VerifyFlags): Promise<ExitCode> {
  const token = await readTokenArgument(tokenArg);
  const connection = await resolveConnection(flags, io.env);
  const secret = requireSecret(connection);
  let userId = flags.user;
  let revokedBefore: { user: Date | null; app: Date | null } | undefined;
  let disableAuthChecks = flags.disableAuthChecks === true;
  if (flags.online) {
    const platform = requirePlatform(connection);
    if (userId === undefined) {
      const d = decodeToken(token);
      const claimed = 'error' in d ? undefined : d.claims['user_id'];
      if (typeof claimed !== 'string' || !userIdSchema.safeParse(claimed).success) {
        throw usageError('--online needs the user: pass --user ID (the token names no valid user_id)');
      }
      userId = claimed;
    }
    const client = new ServerClient(platform);
    const [user, app] = await Promise.all([client.getUser(userId), client.getApp()]);
    revokedBefore = { user: user.revoke_tokens_issued_before, app: app.revoke_tokens_issued_before };
    disableAuthChecks = disableAuthChecks || app.disable_auth_checks;
    io.err(
      `platform: user ${userId} revokes tokens issued before ${revokedBefore.user?.toISOString() ?? 'nothing'}; ` +
        `app revokes before ${revokedBefore.app?.toISOString() ?? 'nothing'}; auth checks ${app.disable_auth_checks ? 'DISABLED' : 'on'}\n`,
    );
  }
  try {
    const claims = await verifyUserToken(token, { secret, userId, revokedBefore, disableAuthChecks });
    if (flags.json) io.out(JSON.stringify({ valid: true, claims }) + '\n');
    else {
      const scope = flags.online ? 'with the platform\'s revocation cutoffs' : 'offline: no revocation cutoffs (use --online)';
      io.out(`valid: a token for ${claims.user_id} (${scope})\n` + timeLines(claims, Date.now()).join('\n') + '\n');
    }
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    if (flags.json) io.out(JSON.stringify({ valid: false, code: err.code, message: err.message }) + '\n');
    else io.out(`refused: code ${err.code}: ${err.message}\n`);
    return EXIT.failed;
  }
}

/**
 * `tokenkit token mint|decode|verify`.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * const program = new Command('tokenkit');
 * registerTokenCommands(program);
 * ```
 */
export function registerTokenCommands(program: Command, io: Io = processIo()): Command {
  const token = program.command('token').description('mint, decode and verify user tokens (mint and verify need the secret; decode does not)');

  addConnectionOptions(
    token
      .command('mint')
      .description('mint a user token locally with the app secret and print it')
      .requiredOption('--user <id>', 'the user the token is for', parseUserId)
      .addOption(
        new Option('--validity <seconds>', `how long the token is valid, 1 to ${MAX_VALIDITY_SECONDS} (default ${DEFAULT_VALIDITY_SECONDS})`).argParser((v) =>
          parsePositiveInt(v, '--validity', MAX_VALIDITY_SECONDS),
        ),
      )
      .option('--json', 'print {"user_id","token","expires_at"} instead of the bare token'),
    { key: false, url: false },
  ).action((flags: MintFlags) => runCommand(io, () => mint(io, flags)));

  token
    .command('decode')
    .description('show a token\'s header and claims, and its times in words (no secret needed; nothing is verified)')
    .argument('<token>', 'the token, or - to read it from stdin (keeps it out of shell history)')
    .option('--json', 'print {"kind","header","claims"}')
    .action((tokenArg: string, flags: { json?: boolean }) => runCommand(io, () => decode(io, tokenArg, flags)));

  addConnectionOptions(
    token
      .command('verify')
      .description('check a token by the platform\'s rules (signature, user, expiry, clock, revocation); exit 0 valid, 1 refused')
      .argument('<token>', 'the token, or - to read it from stdin')
      .option('--user <id>', 'the user the token must belong to (46 otherwise)', parseUserId)
      .option('--online', 'fetch the user\'s and the app\'s revocation cutoffs (and disable_auth_checks) from the platform first')
      .option('--disable-auth-checks', 'accept dev tokens and skip the signature, as an app with auth checks disabled does')
      .option('--json', 'print {"valid", "claims"} or {"valid": false, "code", "message"}'),
  ).action((tokenArg: string, flags: VerifyFlags) => runCommand(io, () => verify(io, tokenArg, flags)));

  return token;
}
