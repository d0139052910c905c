// The scenario on Vercel's edge runtime (the `edge-runtime` package: no `node:` module, no
// process, no require): a service-worker style `fetch` listener. The configuration is in the
// global SCENARIO_ENV, which the test defines when it creates the runtime.
import { portableRawHmac } from '../../../bench/raw-portable';
import { createScenarioApp } from '../scenario';
import { configFromEnv } from './env';

interface FetchEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
declare const SCENARIO_ENV: Record<string, string | undefined>;
declare function addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;

const { config, vectorSecret } = configFromEnv((name) => SCENARIO_ENV[name]);
const app = createScenarioApp(config, vectorSecret, portableRawHmac);
addEventListener('fetch', (event) => event.respondWith(app(event.request)));
