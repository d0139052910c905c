import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { AppModule, type ExampleConfig } from '../../examples/nest/app.module';

/** The NestJS example, listening on 127.0.0.1 at a free port. */
export async function startNestExample(config: ExampleConfig): Promise<{ url: string; close: () => Promise<void> }> {
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
