// Bench child: one library bulk revocation, alone in its process so that its peak RSS is its own.
// argv[2]: `{ url, apiKey, apiSecret, n, dedupe }`. The ids `bench-user-0` .. `n-1` are streamed
// from an async generator (never an array), with `collect: false`; prints
// `{ done, failed, skipped, seconds, cpuUs, maxRss, rss }` and exits.
import { ServerClient } from '../../src/index';
import { usageSince } from '../usage';

async function* ids(n: number): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) yield `bench-user-${i}`;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as { url: string; apiKey: string; apiSecret: string; n: number; dedupe?: boolean };
  const client = new ServerClient({ apiKey: o.apiKey, apiSecret: o.apiSecret, baseUrl: o.url });
  const start = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await client.bulk.revokeUserTokens(ids(o.n), { collect: false, ...(o.dedupe === undefined ? {} : { dedupe: o.dedupe }) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ ...result.counts, seconds, ...usageSince(start) }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
