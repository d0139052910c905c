// Starts the Hono example on Bun (`npx bun examples/hono/server.ts`) or Deno
// (`npx deno run --allow-net --allow-env --allow-read --allow-sys examples/hono/server.ts`).
// Environment: TOKENKIT_API_KEY, TOKENKIT_API_SECRET (the app's secret: it stays on this server;
// TOKENKIT_API_SECRETS holds a keyring instead while the secret is rotated), TOKENKIT_BASE_URL,
// DEMO_USERS ("alice:wonderland,bob:builder"), PORT (default 3000; 0 picks a free port), HOST
// (default 127.0.0.1).
import { ServerClient } from 'tokenkit';
import { createSessions, demoUsers } from '../common/sessions';
import { createApp } from './app';

interface Serve {
  (options: { port: number; hostname: string; fetch: (request: Request) => Response | Promise<Response> }): { port: number };
}
interface Runtime {
  Bun?: { serve: Serve; env: Record<string, string | undefined> };
  Deno?: {
    serve: (options: { port: number; hostname: string; onListen: (addr: { hostname: string; port: number }) => void }, fetch: (request: Request) => Response | Promise<Response>) => unknown;
    env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  };
}
const runtime = globalThis as unknown as Runtime;
const env = (name: string): string | undefined => runtime.Bun?.env[name] ?? runtime.Deno?.env.get(name);

// The TOKENKIT_* variables (the key, the secret or keyring, the URL), from the runtime's environment.
const client = new ServerClient({ env: runtime.Bun?.env ?? runtime.Deno?.env.toObject() });
const app = createApp(client, createSessions(demoUsers(env('DEMO_USERS') ?? 'alice:wonderland')));
const port = Number(env('PORT') ?? 3000);
const hostname = env('HOST') ?? '127.0.0.1';

if (runtime.Bun) {
  const server = runtime.Bun.serve({ port, hostname, fetch: app.fetch });
  console.log(`Hono example (Bun) listening on http://${hostname}:${server.port}`);
} else if (runtime.Deno) {
  runtime.Deno.serve({ port, hostname, onListen: (addr) => console.log(`Hono example (Deno) listening on http://${addr.hostname}:${addr.port}`) }, app.fetch);
} else {
  throw new Error('Run this with Bun or Deno (see README.md); on Node, use @hono/node-server');
}
