// Secret hygiene of the CLI (a secret never appears in an output or a log): the demo (`tokenkit demo`, embedded and against an emulator
// we hold) and a failing bulk job (`revoke --users-file ... --report`, under faults, with unknown
// users). Everything they wrote (stdout, stderr, the report, the emulator's log lines, the SDK's
// logger records of a job run in-process alongside) is searched for the secret in all its forms,
// for every token minted in the run, and for any whole JWT at all (which must not verify).
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import type { RequestLogRecord } from 'tokenkit';
import { type Emulator, type EmulatorLogRecord, startEmulator } from 'tokenkit/emulator';
import { WHOLE_JWT, emulatorEnv, runCli, tempDir, writeIds } from '../support/cli';
import { leaksIn, secretForms } from '../support/hardening';
import { serverClientFor } from '../support/clients';

const SECRET = 'cli-hygiene-secret-4Tq9Lw2Zr8Kd6Vn0Pm5B';
let emu: Emulator;
const platformLog: EmulatorLogRecord[] = [];
const tmp = tempDir();

beforeAll(async () => {
  emu = await startEmulator({ apiSecret: SECRET, logger: (r) => platformLog.push(r) });
});
afterAll(async () => {
  await emu.close();
  tmp.remove();
});

/** Every whole JWT in `text`; none may verify with the secret (a leaked, usable token). */
function usableTokensIn(text: string): string[] {
  const all = new RegExp(WHOLE_JWT.source, 'g');
  return [...text.matchAll(all)].map((m) => m[0]).filter((t) => {
    try {
      jwt.verify(t, SECRET, { algorithms: ['HS256'], ignoreExpiration: true, ignoreNotBefore: true });
      return true;
    } catch {
      return false;
    }
  });
}

function expectClean(outputs: Array<{ where: string; text: string }>, tokens: readonly string[]): void {
  const needles = [...secretForms(SECRET).map((value) => ({ name: 'the secret', value })), ...tokens.map((value) => ({ name: 'a token minted in the run', value }))];
  const leaks = outputs.flatMap((o) => [...leaksIn(o.text, needles), ...usableTokensIn(o.text).map(() => 'a whole, valid JWT')].map((l) => `${l} in ${o.where}`));
  expect(leaks).toEqual([]);
  // The search finds what it looks for.
  expect(leaksIn(`..${Buffer.from(SECRET).toString('base64url')}..`, needles)).toEqual(['the secret']);
}

test('the demo, embedded and against our emulator, prints no secret and no usable token', async () => {
  const embedded = await runCli(['demo'], { timeoutMs: 60_000 });
  expect(embedded.code).toBe(0);
  expect(embedded.stdout.match(WHOLE_JWT)).toBeNull();

  const before = platformLog.length;
  const ours = await runCli(['demo', '--base-url', emu.url], { env: { TOKENKIT_API_KEY: emu.apiKey, TOKENKIT_API_SECRET: SECRET }, timeoutMs: 60_000 });
  expect(ours.stderr).toBe('');
  expect(ours.code).toBe(0);
  expect(platformLog.length - before).toBeGreaterThan(20); // it did talk to our emulator
  expectClean(
    [
      { where: 'demo stdout (embedded)', text: embedded.stdout },
      { where: 'demo stderr (embedded)', text: embedded.stderr },
      { where: 'demo stdout', text: ours.stdout },
      { where: 'demo stderr', text: ours.stderr },
      { where: 'emulator log', text: platformLog.map((r) => JSON.stringify(r)).join('\n') },
    ],
    [emu.serverToken()],
  );
}, 90_000);

test('a failing bulk revocation under faults, with unknown users and a report, writes no secret and no token', async () => {
  const ids = writeIds(tmp.path('ids.txt'), 300, 'job-');
  const known = ids.filter((_, i) => i % 10 !== 3); // one id in ten is unknown to the platform
  const admin = serverClientFor(emu, { apiSecret: SECRET });
  await admin.upsertUsers(known.slice(0, 100).map((id) => ({ id })));
  await admin.upsertUsers(known.slice(100).map((id) => ({ id })));
  // Tokens of these users exist in the run: none may show up anywhere.
  const tokens = known.slice(0, 20).map((id) => admin.generateUserToken({ user_id: id }));
  const issued = await admin.bulk.issueTokens(known.slice(20, 30));
  tokens.push(...issued.done.map((d) => d.token), emu.serverToken());

  emu.faults.set({ routes: ['PATCH /v1/users'], sequence: [503, 'drop', 'pass', 429, 'drop_after', 500, 'pass', 503, 503, 503, 'delay'], retryAfterSeconds: 0, delayMs: 20 });
  const report = tmp.path('revoke.jsonl');
  const before = platformLog.length;
  const r = await runCli(['revoke', '--users-file', tmp.path('ids.txt'), '--report', report, '--concurrency', '4', '--batch-size', '20'], {
    env: emulatorEnv(emu),
    timeoutMs: 60_000,
  });
  const faulted = emu.faults.stats().injected;
  emu.faults.clear();
  expect(faulted).toBeGreaterThanOrEqual(5);
  expect(r.code).toBe(1); // failed items: the unknown users
  const reportText = readFileSync(report, 'utf8');
  expect(reportText).toContain('job-3');

  // The same job in-process, with the SDK's logger, under the same kind of faults.
  const sdkLog: RequestLogRecord[] = [];
  const logged = serverClientFor(emu, { apiSecret: SECRET, logger: (x) => sdkLog.push(x) });
  emu.faults.set({ sequence: [503, 'drop_after', 'drop', 'pass', 500], retryAfterSeconds: 0 });
  const result = await logged.bulk.revokeUserTokens(ids, { batchSize: 20 });
  emu.faults.clear();
  expect(result.counts.failed).toBe(30);

  expectClean(
    [
      { where: 'revoke stdout', text: r.stdout },
      { where: 'revoke stderr', text: r.stderr },
      { where: 'revoke report', text: reportText },
      { where: 'emulator log', text: platformLog.slice(before).map((x) => JSON.stringify(x)).join('\n') },
      { where: 'SDK logger', text: JSON.stringify(sdkLog) },
      { where: 'bulk result', text: JSON.stringify(result) + result.failed.map((f) => `${f.error.message}\n${f.error.stack ?? ''}`).join('\n') },
    ],
    tokens,
  );
}, 90_000);
