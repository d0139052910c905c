// GET /api/token: the token provider, as a Next.js App Router route handler. tokenProvider returns
// a web-standard (request) => Promise<Response>, which is exactly what Next.js calls.
import { client, sessions, tokenValiditySeconds } from '../../../lib/tokenkit';

// Never cached or pre-rendered: every caller gets its own token.
export const dynamic = 'force-dynamic';

export const GET = client.tokenProvider({
  // Who is signed in on this request (or null: 401); the token is minted for that user only.
  authenticate: (request: Request) => sessions.userOf(request.headers.get('cookie')),
  validity_in_seconds: tokenValiditySeconds,
});
