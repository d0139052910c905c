// The scenario on Node (20 and 22): a node:http server. GET /token is the handler's Node form,
// (req, res); GET /scenario is the web-standard app, answered through a Request. Configured by
// environment variables; prints "listening on <url>" once it serves.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerClient } from 'tokenkit';
import { nodeRawHmac } from '../../../bench/raw-node';
import { createScenarioApp } from '../scenario';
import { configFromEnv } from './env';

const { config, vectorSecret } = configFromEnv((name) => process.env[name]);
const app = createScenarioApp(config, vectorSecret, nodeRawHmac);
const client = new ServerClient({ apiKey: config.apiKey, apiSecret: config.apiSecret, baseUrl: config.baseUrl });
const tokenEndpoint = client.tokenProvider({
  authenticate: (req) => {
    const user = req.headers['x-test-user'];
    return typeof user === 'string' ? user : null;
  },
  validity_in_seconds: 300,
});

const server = createServer((req, res) => {
  if (req.url === '/token') {
    void tokenEndpoint(req, res);
    return;
  }
  void app(new Request(`http://127.0.0.1${req.url ?? '/'}`)).then(async (response) => {
    res.writeHead(response.status, { 'Content-Type': response.headers.get('content-type') ?? 'application/json' });
    res.end(await response.text());
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
