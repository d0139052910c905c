import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ServerClient, type TokenProviderHandler } from 'tokenkit';
import { SessionStore } from './sessions';

/** The injection token of the token validity in seconds. */
export const TOKEN_VALIDITY_SECONDS = Symbol('TOKEN_VALIDITY_SECONDS');

/**
 * `GET /token`: the token-provider endpoint, built once from the injected {@link ServerClient}.
 * The session decides who the caller is; the token is minted for that user only.
 */
@Controller()
export class TokenController {
  readonly #logger = new Logger(TokenController.name);
  readonly #handler: TokenProviderHandler<Request>;

  constructor(
    @Inject(ServerClient) client: ServerClient,
    @Inject(SessionStore) sessions: SessionStore,
    @Inject(TOKEN_VALIDITY_SECONDS) validitySeconds: number,
  ) {
    this.#handler = client.tokenProvider<Request>({
      authenticate: (req) => sessions.userFor(req),
      validity_in_seconds: validitySeconds,
      onError: (err) => this.#logger.error(`token endpoint failed: ${err instanceof Error ? err.name : typeof err}`),
    });
  }

  /** Answers `{ token, user_id, expires_at }`, 401 without a session, with `Cache-Control: no-store`. */
  @Get('token')
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.#handler(req, res);
  }
}
