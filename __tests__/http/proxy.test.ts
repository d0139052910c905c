import { type Server, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { ProxyAgent } from 'undici';
import type { ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { serverClientFor } from '../support/clients';

// A forward proxy on 127.0.0.1 that counts what goes through it: CONNECT tunnels (undici's
// default) and absolute-URI requests. Every address here is 127.0.0.1.
let proxy: Server;
let proxyUrl: string;
let proxied = 0;
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
  proxy = createServer((req, res) => {
    proxied++;
    const target = new URL(req.url ?? '');
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket, head) => {
    proxied++;
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host ?? '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await emulator.close();
});
beforeEach(() => {
  proxied = 0;
});

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

/** Builds a client under the given proxy variables, then puts the environment back. */
function clientWithEnv(vars: Record<string, string>, extra: { dispatcher?: object } = {}): ServerClient {
  const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return serverClientFor(emulator, extra);
  } finally {
    for (const k of PROXY_VARS) {
      const v = saved[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('without proxy variables: straight to the platform', async () => {
  await expect(clientWithEnv({}).getApp()).resolves.toMatchObject({ jwt_enabled: true });
  expect(proxied).toBe(0);
});

test('HTTP_PROXY: through the proxy (undici EnvHttpProxyAgent)', async () => {
  await expect(clientWithEnv({ HTTP_PROXY: proxyUrl }).getApp()).resolves.toMatchObject({ jwt_enabled: true });
  expect(proxied).toBeGreaterThan(0);
});

test('NO_PROXY naming the host: straight to the platform', async () => {
  await expect(clientWithEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }).getApp()).resolves.toMatchObject({ jwt_enabled: true });
  expect(proxied).toBe(0);
});

test('a dispatcher given as an option is used (and wins over the environment)', async () => {
  const agent = new ProxyAgent(proxyUrl);
  try {
    const client = clientWithEnv({ NO_PROXY: '*' }, { dispatcher: agent });
    await expect(client.getUser('nobody').catch((e: unknown) => e)).resolves.toMatchObject({ code: 16 });
    expect(proxied).toBeGreaterThan(0);
  } finally {
    await agent.close();
  }
});
