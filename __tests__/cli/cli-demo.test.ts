import { startEmulator } from 'tokenkit/emulator';
import { runDemoSteps } from '../../src/cli/demo-command';
import { DEMO_STEPS } from '../../src/cli/demo-steps';
import type { Io } from '../../src/cli/run';
import { WHOLE_JWT, runCli } from '../support/cli';
import { serverClientFor } from '../support/clients';

// `tokenkit demo` (`npm run demo`, the README's first command) as a subprocess, as a user runs it.

jest.setTimeout(60_000);

test('the demo walks the whole story against its own emulator, every step as described, exit 0', async () => {
  const r = await runCli(['demo']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const titles = [
    'Mint a user token on your backend',
    "Connect with it from the user's app",
    "Revoke the user's tokens",
    'The old token is refused (44), a new one works at once',
    'Undo the revocation: the old token works again',
    'App-level revocation',
    'A platform-issued token',
    'Compatibility mode',
    'A dev token, accepted only while auth checks are disabled',
    'A guest',
    'An anonymous reader',
  ];
  titles.forEach((title, i) => expect(r.stdout).toContain(`${i + 1}. ${title}`));
  expect(r.stdout.match(/✓ as described/g)).toHaveLength(DEMO_STEPS.length);
  expect(r.stdout).toMatch(/-> refused, code 44 \(token revoked\)/);
  expect(r.stdout).toMatch(/mode off: PUT with issue_session_token -> refused, code 4/);
  expect(r.stdout).toMatch(/auth: dev/);
  expect(r.stdout).toMatch(/All 11 steps behaved as described\.\n$/);
  // Tokens are shown shortened, never whole; the emulator's secret (64 hex digits) never.
  expect(r.stdout).not.toMatch(WHOLE_JWT);
  expect(r.stdout).toMatch(/eyJhbGciOiJI…/);
  expect(r.stdout).not.toMatch(/[0-9a-f]{64}/);
});

test('a step that does not behave as described is reported, and counted for a non-zero exit', async () => {
  // An app that starts with auth checks disabled: the dev token is accepted where the story says it is refused.
  const emulator = await startEmulator({ app: { disable_auth_checks: true } });
  let out = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (out += t), errIsTTY: false, env: {} };
  try {
    const failed = await runDemoSteps(io, {
      client: serverClientFor(emulator),
      apiKey: emulator.apiKey,
      baseUrl: emulator.url,
      id: (name) => name,
      tokens: new Map(),
    });
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(out).toMatch(/9\. A dev token[^\n]*\n(?:.*\n)*?   ✗ NOT as described: a dev token with auth checks on should be refused with 43, but it connected \(auth: dev\)/);
  } finally {
    await emulator.close();
  }
});
