/**
 * The NestJS integration: {@link TokenkitModule} provides a `ServerClient` built from
 * configuration. Needs `@nestjs/common` and `@nestjs/core` (optional peer dependencies).
 *
 * @module tokenkit/nest
 */
// `tokenkit/nest`: the NestJS integration. It needs `@nestjs/common` (an optional peer dependency
// of tokenkit): import this entry only from a Nest app, and plain users never load Nest.
import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import type { InjectionToken, OptionalFactoryDependency } from '@nestjs/common';
import { ServerClient } from '../server-client';
import { ConfigError } from '../errors';
import type { ServerClientOptions } from '../options';

// The options (secret included) stay inside this module: only the ServerClient, which never shows
// its secret, is exported to the rest of the app.
const TOKENKIT_OPTIONS = Symbol('TOKENKIT_OPTIONS');

/**
 * What {@link TokenkitModule.forRoot} takes: the client's options, and whether to register globally.
 *
 * @example
 * ```ts
 * import { TokenkitModule, type TokenkitModuleOptions } from 'tokenkit/nest';
 * const options: TokenkitModuleOptions = { apiKey: process.env.KEY, apiSecret: process.env.SECRET, isGlobal: true };
 * const imported = TokenkitModule.forRoot(options);
 * ```
 */
export interface TokenkitModuleOptions extends ServerClientOptions {
  /** Register the module globally, so every module can inject `ServerClient` without importing it. Default false. */
  isGlobal?: boolean | undefined;
}

/**
 * What {@link TokenkitModule.forRootAsync} takes: a factory of the client's options, with its dependencies.
 *
 * @example
 * ```ts
 * import { TokenkitModule, type TokenkitModuleAsyncOptions } from 'tokenkit/nest';
 * const options: TokenkitModuleAsyncOptions = {
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ apiKey: config.get('KEY'), apiSecret: config.get('SECRET') }),
 * };
 * const imported = TokenkitModule.forRootAsync(options);
 * ```
 */
export interface TokenkitModuleAsyncOptions {
  /** Modules that export what `inject` names (a config module, say). */
  imports?: ModuleMetadata['imports'];
  /** The providers passed to `useFactory`, in order. */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** Returns the client's options (for example from a config service); may be async. */
  useFactory: (...deps: never[]) => ServerClientOptions | Promise<ServerClientOptions>;
  /** Register the module globally. Default false. */
  isGlobal?: boolean | undefined;
}

function clientProvider(): Provider {
  // The secret becomes a SigningKey once, here, at bootstrap: a wrong configuration (ConfigError)
  // stops the app from starting rather than failing on the first request.
  return { provide: ServerClient, useFactory: (options: ServerClientOptions) => new ServerClient(options), inject: [TOKENKIT_OPTIONS] };
}

function checkAsync(options: unknown): TokenkitModuleAsyncOptions {
  const o = options as Partial<TokenkitModuleAsyncOptions> | undefined;
  if (typeof o !== 'object' || o === null || typeof o.useFactory !== 'function') {
    throw new ConfigError('Invalid TokenkitModule.forRootAsync options: expected { useFactory, inject?, imports?, isGlobal? }', [
      { path: 'useFactory', message: 'expected a function returning the ServerClient options' },
    ]);
  }
  const known = new Set(['imports', 'inject', 'useFactory', 'isGlobal']);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) {
      throw new ConfigError(`Invalid TokenkitModule.forRootAsync options: unknown option "${k}" (valid: ${[...known].join(', ')})`, [
        { path: k, message: 'unknown option' },
      ]);
    }
  }
  return o as TokenkitModuleAsyncOptions;
}

/**
 * A dynamic module that provides a {@link ServerClient} built from configuration. Inject it with
 * `@Inject(ServerClient)` (explicit tokens work whatever the build does with decorator metadata).
 *
 * @example
 * ```ts
 * import { Controller, Get, Inject, Module } from '@nestjs/common';
 * import { ServerClient } from 'tokenkit';
 * import { TokenkitModule } from 'tokenkit/nest';
 *
 * @Controller()
 * class HealthController {
 *   constructor(@Inject(ServerClient) private readonly client: ServerClient) {}
 *   @Get('whoami') whoami() { return { apiKey: this.client.apiKey }; }
 * }
 *
 * @Module({
 *   imports: [TokenkitModule.forRoot({ apiKey: process.env.KEY, apiSecret: process.env.SECRET })],
 *   controllers: [HealthController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class TokenkitModule {
  /**
   * Configures the client from options known at import time. Options left out fall back to the
   * environment (`TOKENKIT_API_KEY`, `TOKENKIT_API_SECRET` or the keyring `TOKENKIT_API_SECRETS`, `TOKENKIT_BASE_URL`).
   *
   * @example
   * ```ts
   * import { Module } from '@nestjs/common';
   * import { TokenkitModule } from 'tokenkit/nest';
   * @Module({ imports: [TokenkitModule.forRoot({ isGlobal: true })] }) // TOKENKIT_API_KEY, TOKENKIT_API_SECRET
   * export class AppModule {}
   * ```
   */
  static forRoot(options: TokenkitModuleOptions = {}): DynamicModule {
    const { isGlobal, ...clientOptions } = options;
    return {
      module: TokenkitModule,
      global: isGlobal === true,
      providers: [{ provide: TOKENKIT_OPTIONS, useValue: clientOptions }, clientProvider()],
      exports: [ServerClient],
    };
  }

  /**
   * Configures the client from a factory, resolved at bootstrap with its dependencies (a config
   * service, a secret manager).
   *
   * @example
   * ```ts
   * import { TokenkitModule } from 'tokenkit/nest';
   * TokenkitModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ apiKey: config.get('KEY'), apiSecret: config.get('SECRET') }),
   * });
   * ```
   */
  static forRootAsync(options: TokenkitModuleAsyncOptions): DynamicModule {
    const o = checkAsync(options);
    const factory = o.useFactory as (...deps: unknown[]) => ServerClientOptions | Promise<ServerClientOptions>;
    return {
      module: TokenkitModule,
      global: o.isGlobal === true,
      imports: o.imports ?? [],
      providers: [{ provide: TOKENKIT_OPTIONS, useFactory: factory, inject: o.inject ?? [] }, clientProvider()],
      exports: [ServerClient],
    };
  }
}
