// POST /api/login { user_id, password }: the example's cookie-session login.
import { sessions } from '../../../lib/tokenkit';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return sessions.login(request);
}
