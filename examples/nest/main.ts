// Starts the NestJS example: `npx tsx examples/nest/main.ts`.
// Environment: TOKENKIT_API_KEY, TOKENKIT_API_SECRET (the app's secret: it stays on this server) or,
// while the secret is rotated, TOKENKIT_API_SECRETS (a keyring as JSON, docs/secret-rotation.md),
// DEMO_USERS ("alice:wonderland,bob:builder"), PORT (default 3000; 0 picks a free port),
// HOST (default 127.0.0.1).
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

function demoUsers(spec: string): Record<string, string> {
  const users: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const colon = pair.indexOf(':');
    if (colon > 0) users[pair.slice(0, colon).trim()] = pair.slice(colon + 1);
  }
  return users;
}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot({ users: demoUsers(process.env['DEMO_USERS'] ?? 'alice:wonderland') }));
  app.enableShutdownHooks();
  await app.listen(Number(process.env['PORT'] ?? 3000), process.env['HOST'] ?? '127.0.0.1');
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  console.log(`NestJS example listening on http://${address}:${port}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
