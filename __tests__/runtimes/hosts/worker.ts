// The scenario on workerd (Cloudflare Workers, no nodejs_compat): a module Worker whose bindings
// carry the configuration.
import { portableRawHmac } from '../../../bench/raw-portable';
import { createScenarioApp } from '../scenario';
import { configFromEnv } from './env';

let app: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Record<string, string | undefined>): Promise<Response> {
    if (!app) {
      const { config, vectorSecret } = configFromEnv((name) => env[name]);
      app = createScenarioApp(config, vectorSecret, portableRawHmac);
    }
    return app(request);
  },
};
