// The scenario on Bun: Bun.serve with the web-standard app. Configured by environment variables;
// prints "listening on <url>" once it serves.
import { nodeRawHmac } from '../../../bench/raw-node';
import { createScenarioApp } from '../scenario';
import { configFromEnv } from './env';

declare const Bun: { serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { port: number }; env: Record<string, string | undefined> };

const { config, vectorSecret } = configFromEnv((name) => Bun.env[name]);
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: createScenarioApp(config, vectorSecret, nodeRawHmac) });
console.log(`listening on http://127.0.0.1:${server.port}`);
