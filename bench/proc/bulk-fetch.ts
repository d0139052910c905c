// Bench child: the floor of the bulk bench's memory. The same requests a library bulk revocation
// sends (`PATCH /v1/users`, 100 users each, every user's cutoff set, 4 in flight, each with its
// Idempotency-Key), made with bare `fetch` from ids streamed from an async generator, each answer
// parsed (as the library reads each user's cutoff from it) and dropped. What its peak RSS does between 100k and 1M ids is fetch's and
// V8's, not the library's. argv[2]: `{ url, apiKey, apiSecret, n }`; prints
// `{ done, failed, skipped, seconds, cpuUs, maxRss, rss }` and exits.
import { randomUUID } from 'node:crypto';
import { ServerClient } from '../../src/index';
import { usageSince } from '../usage';

const GROUP = 100;
const CONCURRENCY = 4;

async function* ids(n: number): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) yield `bench-user-${i}`;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as { url: string; apiKey: string; apiSecret: string; n: number };
  // A server token minted once by the SDK's own client (the one its requests carry).
  let authorization = '';
  const probe = new ServerClient({
    apiKey: o.apiKey,
    apiSecret: o.apiSecret,
    baseUrl: o.url,
    fetch: async (input, init) => {
      authorization = String((init?.headers as Record<string, string>)['Authorization']);
      return fetch(input, init as RequestInit);
    },
  });
  await probe.getUser('bench-user-0');
  const usersUrl = `${o.url}/v1/users`;
  const cutoff = new Date().toISOString();
  const start = process.cpuUsage();
  const started = process.hrtime.bigint();
  let done = 0;
  const send = async (group: string[]): Promise<void> => {
    const body = JSON.stringify({ users: group.map((id) => ({ id, set: { revoke_tokens_issued_before: cutoff } })) });
    const res = await fetch(usersUrl, {
      method: 'PATCH',
      headers: { 'Api-Key': o.apiKey, Authorization: authorization, Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body,
    });
    if (res.status !== 200) throw new Error(`PATCH /v1/users answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const answer = (await res.json()) as { users: Record<string, unknown> };
    for (const id of group) if (answer.users[id] === undefined) throw new Error(`PATCH /v1/users did not answer user ${id}`);
    done += group.length;
  };
  const running = new Set<Promise<void>>();
  let group: string[] = [];
  const dispatch = async (g: string[]): Promise<void> => {
    while (running.size >= CONCURRENCY) await Promise.race(running);
    const p = send(g).finally(() => running.delete(p));
    running.add(p);
  };
  for await (const id of ids(o.n)) {
    group.push(id);
    if (group.length === GROUP) {
      const g = group;
      group = [];
      await dispatch(g);
    }
  }
  if (group.length > 0) await dispatch(group);
  await Promise.all(running);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ done, failed: 0, skipped: 0, seconds, ...usageSince(start) }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
