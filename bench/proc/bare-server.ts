// Bench child: the limit for the emulator's connects, a bare node:http server doing the same
// check of POST /v1/connect by hand: Api-Key, `Bearer <token>`, the body read and parsed, HS256
// with a KeyObject (HMAC, constant-time compare), the payload's JSON, `exp` against the clock, and
// a connection id answered as JSON. argv[2]: `{ apiKey, apiSecret }`. Prints `{ url }` once
// listening; answers `{ "cmd": "usage" }` on stdin like the emulator child. Exits when stdin closes.
import { createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { usageSince } from '../usage';

const { apiKey, apiSecret } = JSON.parse(process.argv[2] ?? '{}') as { apiKey: string; apiSecret: string };
const key = createSecretKey(Buffer.from(apiSecret, 'utf8'));

function refuse(res: import('node:http').ServerResponse, status: number, code: number, message: string): void {
  const body = JSON.stringify({ code, message, status_code: status });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/connect') return refuse(res, 404, 4, 'not found');
    if (req.headers['api-key'] !== apiKey) return refuse(res, 401, 2, 'bad api key');
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return refuse(res, 400, 4, 'bad json');
    }
    const m = /^Bearer +(\S+)$/.exec(req.headers.authorization ?? '');
    const token = m?.[1] ?? '';
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0) return refuse(res, 401, 43, 'malformed');
    const expected = createHmac('sha256', key).update(token.slice(0, dot2)).digest();
    const given = Buffer.from(token.slice(dot2 + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse(res, 401, 43, 'bad signature');
    const claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8')) as { user_id?: unknown; exp?: unknown };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return refuse(res, 401, 40, 'expired');
    const body = JSON.stringify({ connection_id: randomUUID(), auth: 'jwt', user: { id: claims.user_id } });
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Request-Id': randomUUID() });
    res.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  const start = process.cpuUsage();
  const address = server.address() as { port: number };
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${address.port}` }) + '\n');
  const input = createInterface({ input: process.stdin });
  input.on('line', () => process.stdout.write(JSON.stringify(usageSince(start)) + '\n'));
  input.on('close', () => server.close(() => process.exit(0)));
});
