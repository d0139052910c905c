// Starts the Fastify example: `npx tsx examples/fastify/server.ts`.
// Environment: TOKENKIT_API_KEY, TOKENKIT_API_SECRET (the app's secret: it stays on this server) or,
// while the secret is rotated, TOKENKIT_API_SECRETS (a keyring as JSON, docs/secret-rotation.md),
// DEMO_USERS ("alice:wonderland,bob:builder"), PORT (default 3000; 0 picks a free port),
// HOST (default 127.0.0.1).
import { ServerClient } from 'tokenkit';
import { demoUsers } from '../common/sessions';
import { createApp } from './app';

async function main(): Promise<void> {
  const client = new ServerClient(); // reads TOKENKIT_API_KEY and TOKENKIT_API_SECRET (or TOKENKIT_API_SECRETS)
  const app = await createApp({ client, users: demoUsers(process.env['DEMO_USERS'] ?? 'alice:wonderland') });
  const url = await app.listen({ port: Number(process.env['PORT'] ?? 3000), host: process.env['HOST'] ?? '127.0.0.1' });
  console.log(`Fastify example listening on ${url}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
