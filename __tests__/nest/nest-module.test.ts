import 'reflect-metadata';
import { inspect } from 'node:util';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, ServerClient } from 'tokenkit';
import { TokenkitModule } from 'tokenkit/nest';

const SECRET = 'nest-module-secret-0123456789abcdef';

@Injectable()
class NeedsClient {
  constructor(@Inject(ServerClient) readonly client: ServerClient) {}
}

const CONFIG = Symbol('CONFIG');
@Module({ providers: [{ provide: CONFIG, useValue: { key: 'from-config', secret: SECRET } }], exports: [CONFIG] })
class ConfigModule {}

async function context(root: Parameters<typeof NestFactory.createApplicationContext>[0]) {
  return NestFactory.createApplicationContext(root, { logger: false, abortOnError: false });
}

test('forRoot provides a ServerClient built from the options', async () => {
  @Module({ imports: [TokenkitModule.forRoot({ apiKey: 'k1', apiSecret: SECRET })], providers: [NeedsClient] })
  class Root {}
  const app = await context(Root);
  try {
    const client = app.get(NeedsClient).client;
    expect(client).toBeInstanceOf(ServerClient);
    expect(client.apiKey).toBe('k1');
    const token = client.generateUserToken({ user_id: 'alice' });
    const check = new ServerClient({ apiKey: 'k1', apiSecret: SECRET });
    expect((await check.verifyUserToken(token, { userId: 'alice' })).user_id).toBe('alice');
    expect(inspect(app.get(ServerClient))).not.toContain(SECRET);
  } finally {
    await app.close();
  }
});

test('forRootAsync resolves the options from an injected provider (async factory)', async () => {
  @Module({
    imports: [
      TokenkitModule.forRootAsync({
        imports: [ConfigModule],
        inject: [CONFIG],
        useFactory: async (config: { key: string; secret: string }) => ({ apiKey: config.key, apiSecret: config.secret }),
      }),
    ],
    providers: [NeedsClient],
  })
  class Root {}
  const app = await context(Root);
  try {
    expect(app.get(NeedsClient).client.apiKey).toBe('from-config');
  } finally {
    await app.close();
  }
});

test('isGlobal makes the client injectable in a module that does not import TokenkitModule', async () => {
  @Module({ providers: [NeedsClient], exports: [NeedsClient] })
  class Feature {}
  @Module({ imports: [TokenkitModule.forRoot({ apiKey: 'g', apiSecret: SECRET, isGlobal: true }), Feature] })
  class Root {}
  const app = await context(Root);
  try {
    expect(app.get(NeedsClient).client.apiKey).toBe('g');
  } finally {
    await app.close();
  }
});

test('without isGlobal, a module that does not import TokenkitModule cannot inject the client', async () => {
  @Module({ providers: [NeedsClient] })
  class Feature {}
  @Module({ imports: [TokenkitModule.forRoot({ apiKey: 'g', apiSecret: SECRET }), Feature] })
  class Root {}
  await expect(context(Root)).rejects.toThrow(/ServerClient/);
});

test('a bad configuration stops the bootstrap with a ConfigError that names the field, never the secret', async () => {
  @Module({ imports: [TokenkitModule.forRoot({ apiKey: 'k', apiSecret: SECRET, timeoutMs: -1 })] })
  class Root {}
  const err: unknown = await context(Root).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).issues.map((i) => i.path)).toContain('timeoutMs');
  expect(String((err as Error).message)).not.toContain(SECRET);
});

test.each<[string, unknown]>([
  ['no options', undefined],
  ['no useFactory', { inject: [] }],
  ['an unknown option', { useFactory: () => ({}), useValue: {} }],
])('forRootAsync refuses %s', (_name, options) => {
  // @ts-expect-error: wrong on purpose
  expect(() => TokenkitModule.forRootAsync(options)).toThrow(ConfigError);
});
