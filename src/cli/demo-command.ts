import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ServerClient } from '../server-client';
import { type CliSecret, addConnectionOptions, requirePlatform, resolveConnection } from './config';
import { DEMO_STEPS, type DemoContext, type DemoStep, StepFailure } from './demo-steps';
import { loadEmulator } from './emulator-command';
import { EXIT, type ExitCode } from './exit-codes';
import { type Io, describeError, processIo, runCommand } from './run';

interface DemoFlags {
  baseUrl?: string;
  apiKey?: string;
  apiSecretFile?: string;
}

/** Runs the steps in order, printing each; resolves to how many did not behave as described. */
export async function runDemoSteps(io: Io, ctx: DemoContext, steps: DemoStep[] = DEMO_STEPS): Promise<number> {
  let failed = 0;
  for (const [i, step] of steps.entries()) {
    io.out(`\n${i + 1}. ${step.title}\n`);
    try {
      const lines = await step.run(ctx);
      for (const line of lines) io.out(`   ${line}\n`);
      io.out('   ✓ as described\n');
    } catch (err) {
      failed += 1;
      const message = err instanceof StepFailure ? err.message : describeError(err).message;
      io.out(`   ✗ NOT as described: ${message}\n`);
    }
  }
  return failed;
}

async function demo(io: Io, flags: DemoFlags): Promise<ExitCode> {
  // Only an explicit --base-url points the demo at a platform: it changes app settings (and
  // restores them), which must never happen to a real app because of a stray TOKENKIT_BASE_URL.
  const external = flags.baseUrl !== undefined;
  let close: (() => Promise<void>) | undefined;
  let apiKey: string;
  let apiSecret: CliSecret;
  let baseUrl: string;
  if (external) {
    const c = requirePlatform(await resolveConnection(flags, io.env));
    ({ apiKey, apiSecret, baseUrl } = c);
    io.out(`tokenkit demo against ${baseUrl} (it changes app settings and puts them back)\n`);
  } else {
    const emulator = await loadEmulator().startEmulator({ port: 0, host: '127.0.0.1' });
    close = () => emulator.close();
    ({ apiKey, apiSecret } = emulator);
    baseUrl = emulator.url;
    io.out(`tokenkit demo: the whole story against a platform emulator started at ${baseUrl}\n`);
    io.out(`(API key ${apiKey.slice(0, 8)}…; the secret stays in this process; tokens are shown shortened)\n`);
  }
  const suffix = external ? `-${randomBytes(3).toString('hex')}` : '';
  const ctx: DemoContext = {
    client: new ServerClient({ apiKey, apiSecret, baseUrl }),
    apiKey,
    baseUrl,
    id: (name) => name + suffix,
    tokens: new Map(),
  };
  let failed: number;
  try {
    failed = await runDemoSteps(io, ctx);
  } finally {
    await close?.();
  }
  const total = DEMO_STEPS.length;
  if (failed === 0) {
    io.out(`\nAll ${total} steps behaved as described.\n`);
    return EXIT.ok;
  }
  io.out(`\n${failed} of ${total} steps did NOT behave as described.\n`);
  return EXIT.failed;
}

/**
 * `tokenkit demo`: the whole story (mint, connect, revoke, undo, app revocation, platform and
 * compatibility-mode issuance, dev tokens, guests, anonymous readers), each step checked.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * registerDemoCommand(new Command('tokenkit'));
 * ```
 */
export function registerDemoCommand(program: Command, io: Io = processIo()): Command {
  const cmd = program
    .command('demo')
    .description('walk through the whole story against an embedded platform emulator, checking every step (exit 1 if one misbehaves)');
  addConnectionOptions(cmd);
  // The env fallback of --base-url is dropped: only the flag itself points the demo elsewhere.
  const baseUrl = cmd.options.find((o) => o.long === '--base-url');
  if (baseUrl) {
    baseUrl.envVar = undefined;
    baseUrl.description = 'run against this platform instead of an embedded emulator (the demo changes app settings, then restores them)';
  }
  cmd.addHelpText('after', '\nExample:\n  npm run demo          # the same as: npx tokenkit demo\n');
  cmd.action((flags: DemoFlags) => runCommand(io, () => demo(io, flags)));
  return cmd;
}
