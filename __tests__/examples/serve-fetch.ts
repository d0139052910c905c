// Serves a web-standard fetch handler ((request) => Promise<Response>: a Hono app's `fetch`, a
// Next.js route table) on a node:http server on 127.0.0.1, so the examples that have no Node
// server of their own are called over real HTTP, as their own runtimes would call them.
import { type Served, serve } from '../support/serve';

export function serveFetch(handle: (request: Request) => Promise<Response>): Promise<Served> {
  return serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const body = chunks.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
      const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, body });
      handle(request).then(
        async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        },
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
  });
}
