// One ServerClient and one session store for the whole Next.js app (module scope: created once per
// server instance). The secret comes from the environment and never reaches the browser: only
// route handlers (server code) import this file.
import { ServerClient } from 'tokenkit';
import { createSessions, demoUsers } from '../../common/sessions';

export const client = new ServerClient(); // TOKENKIT_API_KEY, TOKENKIT_API_SECRET or TOKENKIT_API_SECRETS (TOKENKIT_BASE_URL for the emulator)

/** How long each token is valid: TOKEN_VALIDITY_SECONDS, default one hour. */
export const tokenValiditySeconds = Number(process.env['TOKEN_VALIDITY_SECONDS'] ?? 3600);

export const sessions = createSessions(demoUsers(process.env['DEMO_USERS'] ?? 'alice:wonderland'), {
  secureCookies: process.env['NODE_ENV'] === 'production',
});
