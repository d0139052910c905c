import { Body, Controller, HttpCode, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SESSION_COOKIE, SessionStore } from './sessions';

/** `POST /login` and `POST /logout`: the example's own cookie-session authentication. */
@Controller()
export class AuthController {
  constructor(@Inject(SessionStore) private readonly sessions: SessionStore) {}

  /** Body `{ user_id, password }`; sets the session cookie. */
  @Post('login')
  @HttpCode(204)
  login(@Body() body: unknown, @Res({ passthrough: true }) res: Response): void {
    const { user_id, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const sid = this.sessions.login(user_id, password);
    if (sid === undefined) throw new UnauthorizedException('Unknown user or wrong password');
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/`);
  }

  /** Ends the session. */
  @Post('logout')
  @HttpCode(204)
  logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    this.sessions.logout(req);
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`);
  }
}
