import { ServerClient } from 'tokenkit';
import { createApp } from '../../examples/express/app';
import { serve } from '../support/serve';
import { runRefreshScenario } from './refresh-scenario';

test('emulator + Express backend (tokenProvider, cookie session) + UserClient: expiry and revocation under 50 in-flight requests, one provider call each', async () => {
  await runRefreshScenario(async ({ tokenkit, users, tokenValiditySeconds }) =>
    serve(createApp({ client: new ServerClient(tokenkit), users, tokenValiditySeconds })),
  );
});
