// The scenario on Deno: Deno.serve with the web-standard app. Configured by environment variables;
// prints "listening on <url>" once it serves.
import { nodeRawHmac } from '../../../bench/raw-node';
import { createScenarioApp } from '../scenario';
import { configFromEnv } from './env';

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen: (addr: { port: number }) => void }, handler: (request: Request) => Promise<Response>): unknown;
  env: { get(name: string): string | undefined };
};

const { config, vectorSecret } = configFromEnv((name) => Deno.env.get(name));
Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) }, createScenarioApp(config, vectorSecret, nodeRawHmac));
