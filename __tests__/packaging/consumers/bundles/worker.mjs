// A Cloudflare Worker (or Vercel edge function) using the installed tarball: the token provider
// in its web-standard form, and a token verified in the same request.
import { ServerClient, TokenError } from 'tokenkit';

export default {
  async fetch(request, env) {
    const client = new ServerClient({ apiKey: env.TOKENKIT_API_KEY, apiSecret: env.TOKENKIT_API_SECRET, baseUrl: 'http://127.0.0.1:9' });
    if (new URL(request.url).pathname === '/verify') {
      try {
        const claims = await client.verifyUserToken(request.headers.get('x-token') ?? '');
        return Response.json({ user_id: claims.user_id });
      } catch (err) {
        return Response.json({ error: err instanceof TokenError ? 'TokenError' : String(err) }, { status: 401 });
      }
    }
    return client.tokenProvider({ authenticate: (req) => req.headers.get('x-user') })(request);
  },
};
