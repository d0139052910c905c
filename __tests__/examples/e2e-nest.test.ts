import { startNestExample } from './nest-app';
import { runRefreshScenario } from './refresh-scenario';

test('emulator + NestJS backend (TokenkitModule, cookie session) + UserClient: expiry and revocation under 50 in-flight requests, one provider call each', async () => {
  await runRefreshScenario(startNestExample);
});
