// Bench child: the load generator for the emulator's capacity, in a process of its own so that
// its CPU is not the server's. Reads JSON commands on stdin: `{ "cmd": "run", "url", "apiKey",
// "tokens": [...], "total", "clients" }` runs `total` POST /v1/connect with valid tokens from
// `clients` concurrent loops (undici.request, keep-alive) and answers `{ ok, seconds, cpuUs }`.
// Any answer but 200 fails the run. Exits when stdin closes.
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';

interface RunCommand {
  cmd: 'run';
  url: string;
  apiKey: string;
  tokens: string[];
  total: number;
  clients: number;
}

const agents = new Map<string, Agent>();

async function load(c: RunCommand): Promise<{ ok: number; seconds: number; cpuUs: number }> {
  let agent = agents.get(c.url);
  if (!agent) agents.set(c.url, (agent = new Agent({ connections: c.clients, keepAliveTimeout: 30_000 })));
  const dispatcher = agent;
  let next = 0;
  let ok = 0;
  const loop = async (): Promise<void> => {
    for (let i = next++; i < c.total; i = next++) {
      const res = await request(`${c.url}/v1/connect`, {
        method: 'POST',
        headers: { 'Api-Key': c.apiKey, Authorization: `Bearer ${c.tokens[i % c.tokens.length]}`, 'Content-Type': 'application/json' },
        body: '{}',
        dispatcher,
      });
      const body = (await res.body.json()) as { connection_id?: string };
      if (res.statusCode !== 200 || !body.connection_id) throw new Error(`connect ${i} answered ${res.statusCode}: ${JSON.stringify(body)}`);
      ok++;
    }
  };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: c.clients }, loop));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { ok, seconds, cpuUs: used.user + used.system };
}

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const c = JSON.parse(line) as RunCommand;
  load(c).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
});
input.on('close', () => {
  for (const a of agents.values()) void a.close();
  process.exit(0);
});
