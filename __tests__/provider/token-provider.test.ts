import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import * as jose from 'jose';
import { ArgumentError, ServerClient, TokenProviderError } from 'tokenkit';
import { argumentErrorOf } from '../support/errors';
import { type Served, serve } from '../support/serve';

const SECRET = 'provider-test-secret-0123456789abcdef';
const client = new ServerClient({ apiKey: 'key', apiSecret: SECRET });
const joseKey = new TextEncoder().encode(SECRET);

// The tests' own "authentication": the user id in a header, or nobody.
const fromHeader = (req: IncomingMessage): string | null => {
  const v = req.headers['x-test-user'];
  return typeof v === 'string' ? v : null;
};

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function call(path = '/token', headers: Record<string, string> = {}) {
  if (!served) throw new Error('no server');
  const res = await fetch(served.url + path, { headers });
  const text = await res.text();
  return { res, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe('options are checked up front', () => {
  test.each<[string, unknown, string]>([
    ['no options', undefined, ''],
    ['no authenticate', {}, 'authenticate'],
    ['authenticate not a function', { authenticate: 'alice' }, 'authenticate'],
    ['validity 0', { authenticate: fromHeader, validity_in_seconds: 0 }, 'validity_in_seconds'],
    ['validity negative', { authenticate: fromHeader, validity_in_seconds: -5 }, 'validity_in_seconds'],
    ['validity fractional', { authenticate: fromHeader, validity_in_seconds: 1.5 }, 'validity_in_seconds'],
    ['validity as a string', { authenticate: fromHeader, validity_in_seconds: '3600' }, 'validity_in_seconds'],
    ['validity beyond ten years', { authenticate: fromHeader, validity_in_seconds: 10 * 366 * 24 * 3600 }, 'validity_in_seconds'],
    ['onError not a function', { authenticate: fromHeader, onError: true }, 'onError'],
    ['an unknown option', { authenticate: fromHeader, user_id: 'alice' }, 'user_id'],
  ])('%s', (_name, options, path) => {
    // @ts-expect-error: wrong on purpose
    const err = argumentErrorOf(() => client.tokenProvider(options), path);
    expect(err.message).toContain('tokenProvider options');
  });

  test('an unknown option is named', () => {
    // @ts-expect-error: wrong on purpose
    expect(() => client.tokenProvider({ authenticate: fromHeader, validity: 60 })).toThrow('unknown key "validity": expected { authenticate, validity_in_seconds?, onError? }');
  });
});

describe('on a plain node:http server', () => {
  // A signed-in caller's token (verified by jose), the default validity, 401, 500 and onError are
  // checked for this form and the others in every-form.test.ts.
  test('the token is for the authenticated user only: a user id in the query string is ignored', async () => {
    const handler = client.tokenProvider({ authenticate: fromHeader });
    served = await serve((req, res) => void handler(req, res));
    const { json } = await call('/token?user_id=mallory', { 'x-test-user': 'alice' });
    expect(json['user_id']).toBe('alice');
    expect(jose.decodeJwt(String(json['token']))['user_id']).toBe('alice');
  });

  test.each([null, undefined])('authenticate returning %p answers 401 without a token', async (value) => {
    const handler = client.tokenProvider({ authenticate: async () => value });
    served = await serve((req, res) => void handler(req, res));
    const { res, json, text } = await call();
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(json['error']).toBe('unauthenticated');
    expect(text).not.toMatch(/token"\s*:/);
  });

  test('authenticate that throws answers 500 without the error details, and onError gets the error', async () => {
    const seen: unknown[] = [];
    const handler = client.tokenProvider({
      authenticate: async () => {
        throw new Error('database password is hunter2');
      },
      onError: (err) => seen.push(err),
    });
    served = await serve((req, res) => void handler(req, res));
    const { res, text, json } = await call('/token', { 'x-test-user': 'alice' });
    expect(res.status).toBe(500);
    expect(json['error']).toBe('internal');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('database');
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toBe('database password is hunter2');
  });

  test.each<[string, unknown]>([
    ['a number', 42],
    ['an object', { id: 'alice' }],
    ['an invalid user id', 'not a valid id!'],
    ['an empty string', ''],
  ])('authenticate returning %s answers 500 and reports why to onError', async (_name, value) => {
    const seen: unknown[] = [];
    // @ts-expect-error: the wrong return type is the point
    const handler = client.tokenProvider({ authenticate: () => value, onError: (err) => seen.push(err) });
    served = await serve((req, res) => void handler(req, res));
    const { res, json } = await call();
    expect(res.status).toBe(500);
    expect(json).toEqual({ error: 'internal', message: 'Could not issue a token' });
    expect(seen).toHaveLength(1);
    if (typeof value === 'string') expect(seen[0]).toBeInstanceOf(ArgumentError);
    else expect(seen[0]).toBeInstanceOf(TypeError);
  });

  test('the handler resolves even when onError itself throws', async () => {
    const handler = client.tokenProvider({
      authenticate: () => {
        throw new Error('boom');
      },
      onError: () => {
        throw new Error('logger down');
      },
    });
    let outcome: 'resolved' | 'rejected' | undefined;
    served = await serve((req, res) => {
      handler(req, res).then(
        () => (outcome = 'resolved'),
        () => (outcome = 'rejected'),
      );
    });
    const { res } = await call();
    expect(res.status).toBe(500);
    expect(outcome).toBe('resolved');
  });

  test('a response that authenticate already ended is left alone', async () => {
    const handler = client.tokenProvider({
      authenticate: (req: IncomingMessage & { res?: ServerResponse }) => {
        req.res?.writeHead(302, { Location: '/login' }).end();
        return null;
      },
    });
    served = await serve((req, res) => {
      Object.assign(req, { res });
      void handler(req, res);
    });
    const res = await fetch(served.url + '/token', { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login');
  });
});

describe('as Express 5 middleware', () => {
  test('answers a signed-in caller, typed with Express request', async () => {
    const app = express();
    app.get('/token', client.tokenProvider({ authenticate: (req: express.Request) => req.get('x-test-user') ?? null }));
    served = await serve(app);
    const { res, json } = await call('/token', { 'x-test-user': 'carol' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(json['user_id']).toBe('carol');
  });

  test('401 for an anonymous caller', async () => {
    const app = express();
    app.get('/token', client.tokenProvider({ authenticate: () => null }));
    served = await serve(app);
    const { res, json } = await call();
    expect(res.status).toBe(401);
    expect(json['error']).toBe('unauthenticated');
  });

  test('an authenticate error goes to next(err) as a TokenProviderError whose cause is the original', async () => {
    const original = new Error('session store unreachable at 10.0.0.7');
    const seen: unknown[] = [];
    const app = express();
    app.get(
      '/token',
      client.tokenProvider({
        authenticate: async () => {
          throw original;
        },
      }),
    );
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(err);
      res.status(503).json({ error: 'try later' });
    });
    served = await serve(app);
    const { res, json } = await call();
    expect(res.status).toBe(503);
    expect(json).toEqual({ error: 'try later' });
    expect(seen).toHaveLength(1);
    const err = seen[0] as TokenProviderError;
    expect(err).toBeInstanceOf(TokenProviderError);
    expect(err.status).toBe(500);
    expect(err.expose).toBe(false);
    expect(err.cause).toBe(original);
    expect(err.message).not.toContain('10.0.0.7');
  });

  test("Express's default error handler answers 500 and shows nothing of the original error", async () => {
    const app = express();
    app.get(
      '/token',
      client.tokenProvider({
        authenticate: () => {
          throw new Error('secret detail 7f3a');
        },
      }),
    );
    served = await serve(app);
    const res = await fetch(served.url + '/token');
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain('7f3a');
  });
});
