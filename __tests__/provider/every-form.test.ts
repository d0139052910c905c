// The same endpoint behaviour in every form the handler serves: Node's (req, res) on a node:http
// server, the web-standard (request) => Response (called as Next.js, Workers, Bun.serve and
// Deno.serve call it), and the Fastify plugin on a real Fastify server. Each form is reached over
// HTTP on 127.0.0.1, except the web form, whose callers hand it a Request themselves.
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import * as jose from 'jose';
import { ArgumentError, ServerClient, type TokenProviderOptions } from 'tokenkit';
import { tokenProviderPlugin } from 'tokenkit/fastify';
import { type Served, serve } from '../support/serve';

const SECRET = 'every-form-test-secret-0123456789abcdef';
const client = new ServerClient({ apiKey: 'key', apiSecret: SECRET });
const joseKey = new TextEncoder().encode(SECRET);

/** What a test says about the endpoint, whatever the form: who the caller is, from a header. */
interface Spec {
  authenticate: (user: string | undefined) => unknown;
  validity_in_seconds?: number;
  onError?: (err: unknown) => void;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Sets up the endpoint in one form and calls it once with (or without) an `x-test-user` header. */
type Form = (spec: Spec, user: string | undefined) => Promise<Answer>;

let served: Served | undefined;
let fastify: FastifyInstance | undefined;
afterEach(async () => {
  await served?.close();
  await fastify?.close();
  served = undefined;
  fastify = undefined;
});

async function answerOf(res: Response): Promise<Answer> {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function headersFor(user: string | undefined): Record<string, string> {
  return user === undefined ? {} : { 'x-test-user': user };
}

const forms: Array<[string, Form]> = [
  [
    'node:http (req, res)',
    async (spec, user) => {
      const options: TokenProviderOptions = { ...spec, authenticate: (req: IncomingMessage) => spec.authenticate(req.headers['x-test-user'] as string | undefined) as string };
      const handler = client.tokenProvider(options);
      served = await serve((req, res) => void handler(req, res));
      return answerOf(await fetch(served.url + '/token', { headers: headersFor(user) }));
    },
  ],
  [
    'web-standard (request) => Response',
    async (spec, user) => {
      const handler = client.tokenProvider({ ...spec, authenticate: (request: Request) => spec.authenticate(request.headers.get('x-test-user') ?? undefined) as string });
      // As a Worker calls it: fetch(request, env, ctx). The extra arguments change nothing.
      const res = await handler(new Request('http://127.0.0.1/token', { headers: headersFor(user) }));
      return answerOf(res);
    },
  ],
  [
    'Fastify plugin',
    async (spec, user) => {
      fastify = Fastify();
      await fastify.register(tokenProviderPlugin, {
        ...spec,
        client,
        authenticate: (request: FastifyRequest) => spec.authenticate(request.headers['x-test-user'] as string | undefined) as string,
      });
      const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
      return answerOf(await fetch(url + '/token', { headers: headersFor(user) }));
    },
  ],
];

describe.each(forms)('%s', (_name, form) => {
  test('a signed-in caller gets a token for itself, verified by jose, with Cache-Control: no-store', async () => {
    const a = await form({ authenticate: (u) => u ?? null, validity_in_seconds: 600 }, 'alice');
    expect(a.status).toBe(200);
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('pragma')).toBe('no-cache');
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(a.text) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['expires_at', 'token', 'user_id']);
    expect(json['user_id']).toBe('alice');
    const { payload } = await jose.jwtVerify(String(json['token']), joseKey, { algorithms: ['HS256'] });
    expect(payload['user_id']).toBe('alice');
    expect(json['expires_at']).toBe((payload.exp ?? 0) * 1000);
    expect((payload.exp ?? 0) - Math.floor(payload.iat ?? 0)).toBe(600);
    expect((await client.verifyUserToken(String(json['token']))).user_id).toBe('alice');
  });

  test('the default validity is one hour', async () => {
    const a = await form({ authenticate: (u) => u ?? null }, 'bob');
    const payload = jose.decodeJwt(String((JSON.parse(a.text) as Record<string, unknown>)['token']));
    expect((payload.exp ?? 0) - Math.floor(payload.iat ?? 0)).toBe(3600);
  });

  test('an anonymous caller gets 401, no token, and no-store', async () => {
    const a = await form({ authenticate: () => null }, undefined);
    expect(a.status).toBe(401);
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(a.text)).toEqual({ error: 'unauthenticated', message: 'Sign in first: tokens are issued to signed-in users only' });
  });

  test('authenticate that throws answers 500 without the details; onError gets the original error', async () => {
    const seen: unknown[] = [];
    const original = new Error('database password is hunter2');
    const a = await form(
      {
        authenticate: () => {
          throw original;
        },
        onError: (err) => seen.push(err),
      },
      'alice',
    );
    expect(a.status).toBe(500);
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(a.text)).toEqual({ error: 'internal', message: 'Could not issue a token' });
    expect(a.text).not.toContain('hunter2');
    expect(seen).toEqual([original]);
  });

  test('an invalid user id from authenticate answers 500 and onError gets the ArgumentError', async () => {
    const seen: unknown[] = [];
    const a = await form({ authenticate: () => 'not a valid id!', onError: (err) => seen.push(err) }, 'alice');
    expect(a.status).toBe(500);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ArgumentError);
  });

  test('an onError that throws still ends in a 500 answer', async () => {
    const a = await form(
      {
        authenticate: () => {
          throw new Error('boom');
        },
        onError: () => {
          throw new Error('logger down');
        },
      },
      'alice',
    );
    expect(a.status).toBe(500);
  });
});

describe('the web-standard form', () => {
  test('ignores the extra arguments of a Worker (env, ctx) and of Next.js (the route context)', async () => {
    const handler = client.tokenProvider({ authenticate: (request: Request) => request.headers.get('x-test-user') });
    const call = handler as unknown as (...args: unknown[]) => Promise<Response>;
    const asWorker = await call(new Request('http://127.0.0.1/token', { headers: { 'x-test-user': 'alice' } }), { SECRET: 'x' }, { waitUntil: () => undefined });
    const asNext = await call(new Request('http://127.0.0.1/token', { headers: { 'x-test-user': 'bob' } }), { params: Promise.resolve({}) });
    expect(((await asWorker.json()) as Record<string, unknown>)['user_id']).toBe('alice');
    expect(((await asNext.json()) as Record<string, unknown>)['user_id']).toBe('bob');
  });

  test('one handler serves both forms, on the same options', async () => {
    const handler = client.tokenProvider({ authenticate: (req: IncomingMessage | Request) => ('get' in req.headers ? (req as Request).headers.get('x-test-user') : (req.headers as Record<string, string>)['x-test-user']) ?? null });
    served = await serve((req, res) => void handler(req, res));
    const viaNode = await fetch(served.url + '/token', { headers: { 'x-test-user': 'carol' } });
    const viaWeb = await handler(new Request('http://127.0.0.1/token', { headers: { 'x-test-user': 'dave' } }));
    expect(((await viaNode.json()) as Record<string, unknown>)['user_id']).toBe('carol');
    expect(((await viaWeb.json()) as Record<string, unknown>)['user_id']).toBe('dave');
  });
});

describe('the Fastify plugin', () => {
  test('answers under the register prefix and at its own path', async () => {
    fastify = Fastify();
    await fastify.register(tokenProviderPlugin, { client, path: '/user-token', prefix: '/api', authenticate: () => 'erin' });
    const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(url + '/api/user-token');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, unknown>)['user_id']).toBe('erin');
    expect((await fetch(url + '/token')).status).toBe(404);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['no client', { authenticate: () => null }, 'client'],
    ['a client that is not a ServerClient', { client: {}, authenticate: () => null }, 'client'],
    ['a path without a leading slash', { client, path: 'token', authenticate: () => null }, 'path'],
    ['no authenticate', { client }, 'authenticate'],
    ['an unknown option', { client, authenticate: () => null, validity: 60 }, 'validity'],
  ])('registering with %s fails with an ArgumentError naming the field', async (_name, options, field) => {
    fastify = Fastify();
    // @ts-expect-error: wrong on purpose
    fastify.register(tokenProviderPlugin, options);
    const err = await fastify.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).issues.map((i) => i.path)).toContain(field);
  });
});
