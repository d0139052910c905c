import { open, rm } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { ServerClient } from '../server-client';
import type { SecretInfo } from '../schemas/secrets';
import { kidSchema } from '../schemas/secrets';
import { type ConnectionFlags, addConnectionOptions, requirePlatform, resolveConnection } from './config';
import { EXIT, type ExitCode, usageError } from './exit-codes';
import { type Io, processIo, runCommand } from './run';
import { isoOf } from './time-words';

// `tokenkit secret add|promote|retire|list` (docs/cli.md, docs/secret-rotation.md). An added
// secret's value goes to the file given with --out (created 0600, never overwritten), never to
// the terminal: a terminal ends up in scrollback, screen shares and CI logs.

interface AddFlags extends ConnectionFlags {
  out: string;
  json?: boolean;
}

interface ListFlags extends ConnectionFlags {
  json?: boolean;
}

/** Commander argument parser for a kid (1 to 64 of `[A-Za-z0-9._-]`). */
export function parseKid(value: string): string {
  const parsed = kidSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`not a valid kid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

async function clientFrom(io: Io, flags: ConnectionFlags): Promise<ServerClient> {
  return new ServerClient(requirePlatform(await resolveConnection(flags, io.env)));
}

/** The secrets as a table: kid, state and dates. Never a value (the platform answers none). */
export function secretTable(secrets: readonly SecretInfo[]): string {
  const rows = secrets.map((s) => [s.kid, s.state, isoOf(s.created_at.getTime()), s.promoted_at ? isoOf(s.promoted_at.getTime()) : '-', s.retired_at ? isoOf(s.retired_at.getTime()) : '-']);
  const head = ['KID', 'STATE', 'ADDED', 'PROMOTED', 'RETIRED'];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

function listing(secrets: readonly SecretInfo[], json: boolean | undefined): string {
  return json ? JSON.stringify({ secrets }) + '\n' : secretTable(secrets);
}

async function add(io: Io, flags: AddFlags): Promise<ExitCode> {
  const client = await clientFrom(io, flags);
  // The file is created before the request: a path that cannot be written must not cost a secret
  // whose value would then be lost (the platform shows it once).
  let file;
  try {
    file = await open(flags.out, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it exists (a secret file is never overwritten)' : code === 'ENOENT' ? 'no such folder' : code === 'EACCES' ? 'permission denied' : 'cannot create it';
    throw usageError(`cannot write the secret to ${JSON.stringify(flags.out)}: ${why}`);
  }
  let added;
  try {
    added = await client.addSecret();
  } catch (err) {
    await file.close();
    await rm(flags.out, { force: true });
    throw err;
  }
  try {
    await file.writeFile(added.secret + '\n');
  } catch (err) {
    const why = err instanceof Error ? (err as NodeJS.ErrnoException).code ?? err.name : 'write failed';
    throw usageError(`secret ${added.kid} was added, but its value could not be written to ${JSON.stringify(flags.out)} (${why}): retire it (tokenkit secret retire ${added.kid}) and add another`);
  } finally {
    await file.close();
  }
  io.out(
    flags.json
      ? JSON.stringify({ kid: added.kid, state: added.state, file: flags.out }) + '\n'
      : `added: secret ${added.kid} (active; its value is in ${flags.out}, mode 0600)\n` +
          `next: deploy every backend with both secrets, the new one first (TOKENKIT_API_SECRETS='[{"kid":"${added.kid}","secret":"<${flags.out}>"},{"kid":"<current kid>","secret":"<current secret>"}]'), then: tokenkit secret promote ${added.kid}\n`,
  );
  return EXIT.ok;
}

async function change(io: Io, what: 'promote' | 'retire', kid: string, flags: ListFlags): Promise<ExitCode> {
  const client = await clientFrom(io, flags);
  const secrets = what === 'promote' ? await client.promoteSecret(kid) : await client.retireSecret(kid);
  if (!flags.json) {
    io.err(
      what === 'promote'
        ? `promoted: ${kid} is the primary secret (the former primary stays active)\n`
        : `retired: every token signed with ${kid} is refused from now on (code 44)\n`,
    );
  }
  io.out(listing(secrets, flags.json));
  return EXIT.ok;
}

/**
 * `tokenkit secret add|promote|retire|list`: the app's secrets (docs/secret-rotation.md).
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * registerSecretCommands(new Command('tokenkit'));
 * ```
 */
export function registerSecretCommands(program: Command, io: Io = processIo()): Command {
  const secret = program
    .command('secret')
    .description("rotate the app secret: add a secret, promote it to primary, retire the old one, list them (docs/secret-rotation.md)");

  addConnectionOptions(
    secret
      .command('add')
      .description('add a secret (active at once); its value is written to --out, never to the terminal')
      .requiredOption('--out <file>', 'the file to create for the new secret (mode 0600; an existing file is never overwritten)')
      .option('--json', 'print {"kid","state","file"}'),
  ).action((flags: AddFlags) => runCommand(io, () => add(io, flags)));

  const changes = {
    promote: 'make a secret the primary: the platform signs with it and checks tokens without kid against it first',
    retire: 'retire a secret for good: every token signed with it is refused (44); not the primary',
  } as const;
  for (const what of ['promote', 'retire'] as const) {
    addConnectionOptions(
      secret
        .command(what)
        .description(changes[what])
        .argument('<kid>', `the secret to ${what}`, parseKid)
        .option('--json', 'print {"secrets"}'),
    ).action((kid: string, flags: ListFlags) => runCommand(io, () => change(io, what, kid, flags)));
  }

  addConnectionOptions(
    secret
      .command('list')
      .description("list the app's secrets: kid, state and dates (never a value)")
      .option('--json', 'print {"secrets"}'),
  ).action((flags: ListFlags) =>
    runCommand(io, async () => {
      io.out(listing(await (await clientFrom(io, flags)).listSecrets(), flags.json));
      return EXIT.ok;
    }),
  );

  secret.addHelpText(
    'after',
    '\nThe planned rotation (docs/secret-rotation.md):\n' +
      '  tokenkit secret add --out new.secret      # then deploy every backend with both secrets\n' +
      '  tokenkit secret promote <new kid>         # then wait for the longest token validity\n' +
      '  tokenkit secret retire <old kid>\n',
  );
  return secret;
}
