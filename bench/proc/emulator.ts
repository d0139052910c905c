// Bench child: the emulator in a process of its own. argv[2]: the emulator's options as JSON.
// Prints `{ url, apiKey, apiSecret }` once listening, then answers one JSON line per command read
// on stdin: `{ "cmd": "usage" }` (CPU since start, peak and current RSS, stats), `{ "cmd": "tokens",
// "n": N }` (user tokens of bench-user-0 .. N-1). Exits when stdin closes.
import { createInterface } from 'node:readline';
import { startEmulator } from '../../src/emulator/index';
import { usageSince } from '../usage';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
  const emulator = await startEmulator(options);
  const start = process.cpuUsage();
  const out = (v: unknown): boolean => process.stdout.write(JSON.stringify(v) + '\n');
  out({ url: emulator.url, apiKey: emulator.apiKey, apiSecret: emulator.apiSecret });
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const cmd = JSON.parse(line) as { cmd: string; n?: number };
    if (cmd.cmd === 'usage') {
      (globalThis as { gc?: () => void }).gc?.();
      const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      out({ ...usageSince(start), stats: emulator.stats(), heapUsed, heapTotal, external, arrayBuffers });
    } else if (cmd.cmd === 'tokens') {
      out(Array.from({ length: cmd.n ?? 1 }, (_, i) => emulator.userToken(`bench-user-${i}`, { validityInSeconds: 3600 })));
    } else {
      out({ error: `unknown command ${cmd.cmd}` });
    }
  });
  input.on('close', () => void emulator.close().then(() => process.exit(0)));
}

void main();
