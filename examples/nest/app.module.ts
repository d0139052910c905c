import { type DynamicModule, Module } from '@nestjs/common';
import type { ServerClientOptions } from 'tokenkit';
import { TokenkitModule } from 'tokenkit/nest';
import { AuthController } from './auth.controller';
import { DEMO_USERS, SessionStore } from './sessions';
import { TOKEN_VALIDITY_SECONDS, TokenController } from './token.controller';

/** What the example app is configured with. */
export interface ExampleConfig {
  /** The ServerClient's options; left-out ones come from TOKENKIT_API_KEY / TOKENKIT_API_SECRET. */
  tokenkit?: ServerClientOptions;
  /** Demo users: id → password. */
  users: Record<string, string>;
  /** Token validity in seconds. Default 3600. */
  tokenValiditySeconds?: number;
}

/** The example's root module: TokenkitModule provides the ServerClient the token controller uses. */
@Module({})
export class AppModule {
  static forRoot(config: ExampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TokenkitModule.forRootAsync({ useFactory: () => config.tokenkit ?? {} })],
      controllers: [AuthController, TokenController],
      providers: [
        SessionStore,
        { provide: DEMO_USERS, useValue: config.users },
        { provide: TOKEN_VALIDITY_SECONDS, useValue: config.tokenValiditySeconds ?? 3600 },
      ],
    };
  }
}
