// Starts the Express example: `npx tsx examples/express/server.ts`.
// Environment: TOKENKIT_API_KEY, TOKENKIT_API_SECRET (the app's secret: it stays on this server) or,
// while the secret is rotated, TOKENKIT_API_SECRETS (a keyring: [{"kid":"...","secret":"..."}, ...],
// docs/secret-rotation.md), TOKENKIT_BASE_URL (the emulator's URL, where it is used),
// DEMO_USERS ("alice:wonderland,bob:builder"), TOKEN_VALIDITY_SECONDS (default 3600),
// PORT (default 3000; 0 picks a free port), HOST (default 127.0.0.1).
import type { AddressInfo } from 'node:net';
import { ServerClient } from 'tokenkit';
import { createApp } from './app';

function demoUsers(spec: string): Record<string, string> {
  const users: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const colon = pair.indexOf(':');
    if (colon > 0) users[pair.slice(0, colon).trim()] = pair.slice(colon + 1);
  }
  return users;
}

const client = new ServerClient(); // reads TOKENKIT_API_KEY and TOKENKIT_API_SECRET (or TOKENKIT_API_SECRETS)
const validity = process.env['TOKEN_VALIDITY_SECONDS'];
const app = createApp({
  client,
  users: demoUsers(process.env['DEMO_USERS'] ?? 'alice:wonderland'),
  ...(validity !== undefined ? { tokenValiditySeconds: Number(validity) } : {}),
});
const server = app.listen(Number(process.env['PORT'] ?? 3000), process.env['HOST'] ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`Express example listening on http://${address}:${port}`);
});
