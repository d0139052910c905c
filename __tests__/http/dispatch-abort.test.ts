// An attempt's timeout without an AbortSignal: where fetch has been seen to send through the
// attempt's dispatcher (Node's own fetch, undici's), the timer ends the request through that
// dispatcher, and so does the caller's signal: fetch gets no signal. Checked over real sockets on 127.0.0.1:
// the request is really ended (the server sees its connection close), not left running.
import { type IncomingMessage, type ServerResponse, request as httpRequest } from 'node:http';
import { getEventListeners } from 'node:events';
import { Agent } from 'undici';
import { AbortError, ConnectionError, type FetchLike, TimeoutError, type ServerClient } from 'tokenkit';
import { type Emulator, startEmulator } from 'tokenkit/emulator';
import { serverClientFor } from '../support/clients';
import { type Served, serve } from '../support/serve';

// In front of the emulator: `/v1/users/hang` never answers, `/v1/users/stall` sends its headers
// and half a body, then nothing; every other request goes through to the emulator. It records
// which of the held requests saw their connection close, and how many requests of each path came.
let emulator: Emulator;
let front: Served;
const closed: string[] = [];
const arrived = new Map<string, number>();

function held(req: IncomingMessage, res: ServerResponse): boolean {
  const path = req.url ?? '';
  arrived.set(path, (arrived.get(path) ?? 0) + 1);
  if (path === '/v1/users/hang') {
    req.socket.once('close', () => closed.push(path));
    return true;
  }
  if (path === '/v1/users/stall') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"user":{"id":"stall",');
    req.socket.once('close', () => closed.push(path));
    return true;
  }
  return false;
}

beforeAll(async () => {
  emulator = await startEmulator();
  await serverClientFor(emulator).upsertUsers([{ id: 'alice' }]);
  const target = new URL(emulator.url);
  front = await serve((req, res) => {
    if (held(req, res)) return;
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
});

afterAll(async () => {
  await front.close();
  await emulator.close();
});

beforeEach(() => {
  closed.length = 0;
  arrived.clear();
});

/** Waits (at most 5 s) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What each attempt gave fetch: a signal, a dispatcher. */
interface Seen {
  signal: boolean;
  dispatcher: boolean;
}

/** Node's fetch, recording what each attempt passes it; `dropDispatcher` makes it a fetch that ignores dispatchers. */
function recordingFetch(seen: Seen[], dropDispatcher = false): FetchLike {
  return (input, init) => {
    seen.push({ signal: init?.signal != null, dispatcher: init?.dispatcher != null });
    const { dispatcher, ...rest } = init ?? {};
    return fetch(input, (dropDispatcher ? rest : { ...rest, dispatcher }) as RequestInit);
  };
}

function client(overrides: Parameters<typeof serverClientFor>[1] = {}): ServerClient {
  return serverClientFor(emulator, { baseUrl: front.url, maxRetries: 0, ...overrides });
}

test('once fetch has sent through the attempt dispatcher, later attempts get no AbortSignal', async () => {
  const seen: Seen[] = [];
  const c = client({ fetch: recordingFetch(seen) });
  await c.getUser('alice'); // the first attempt may not know this fetch yet
  await c.getUser('alice');
  await c.getUser('alice');
  expect(seen).toHaveLength(3);
  expect(seen.slice(1)).toEqual([
    { signal: false, dispatcher: true },
    { signal: false, dispatcher: true },
  ]);
});

test('a fetch that ignores the dispatcher keeps getting an AbortSignal on every attempt, and still times out', async () => {
  const seen: Seen[] = [];
  const c = client({ fetch: recordingFetch(seen, true), timeoutMs: 200 });
  await c.getUser('alice');
  await c.getUser('alice');
  const err = await c.getUser('hang').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TimeoutError);
  expect(seen.every((s) => s.signal)).toBe(true);
  await until(() => closed.includes('/v1/users/hang'), 'the hung request to be ended');
});

test('a timeout while waiting for the answer ends the request: TimeoutError, and the server sees the connection close', async () => {
  const seen: Seen[] = [];
  const c = client({ fetch: recordingFetch(seen), timeoutMs: 200 });
  await c.getUser('alice');
  const err = (await c.getUser('hang').catch((e: unknown) => e)) as TimeoutError;
  expect(seen.at(-1)).toEqual({ signal: false, dispatcher: true }); // ended by the dispatcher, not a signal
  expect(err).toBeInstanceOf(TimeoutError);
  expect(err.message).toMatch(/GET \/v1\/users\/hang timed out after 200 ms \(attempt 1\)/);
  await until(() => closed.includes('/v1/users/hang'), 'the hung request to be ended');
});

test('a timeout while reading the body ends the request too', async () => {
  const seen: Seen[] = [];
  const c = client({ fetch: recordingFetch(seen), timeoutMs: 200 });
  await c.getUser('alice');
  const err = await c.getUser('stall').catch((e: unknown) => e);
  expect(seen.at(-1)).toEqual({ signal: false, dispatcher: true });
  expect(err).toBeInstanceOf(TimeoutError);
  await until(() => closed.includes('/v1/users/stall'), 'the stalled request to be ended');
});

test("the caller's signal still cancels the request (an AbortError), and ends it", async () => {
  const seen: Seen[] = [];
  const c = client({ fetch: recordingFetch(seen), timeoutMs: 10_000 });
  await c.getUser('alice');
  const controller = new AbortController();
  const pending = c.getUser('hang', { signal: controller.signal }).catch((e: unknown) => e);
  await until(() => arrived.get('/v1/users/hang') === 1, 'the request to arrive');
  controller.abort();
  expect(await pending).toBeInstanceOf(AbortError);
  expect(seen.at(-1)).toEqual({ signal: false, dispatcher: true }); // ended through the dispatcher: fetch got no signal
  await until(() => closed.includes('/v1/users/hang'), 'the cancelled request to be ended');
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
});

test('a signal shared by many requests (as a bulk run shares one) is left with no listener of theirs', async () => {
  const seen: Seen[] = [];
  const c = client({ fetch: recordingFetch(seen), timeoutMs: 10_000 });
  const controller = new AbortController();
  for (let i = 0; i < 20; i++) await c.getUser('alice', { signal: controller.signal });
  await Promise.all(Array.from({ length: 10 }, () => c.getUser('alice', { signal: controller.signal })));
  // The client's first request finds out whether fetch sends through the dispatcher, with a
  // controller's signal of its own (fed by the caller's, and let go of once it ends); the others get none.
  expect(seen.slice(1).filter((s) => s.signal)).toHaveLength(0);
  // Given to fetch, each request would have left undici's listener on it until collected.
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  // And it still cancels the next request.
  const pending = c.getUser('hang', { signal: controller.signal }).catch((e: unknown) => e);
  await until(() => arrived.get('/v1/users/hang') === 1, 'the request to arrive');
  controller.abort(new Error('operator stopped the run'));
  const err = (await pending) as AbortError;
  expect(err).toBeInstanceOf(AbortError);
  await until(() => closed.includes('/v1/users/hang'), 'the cancelled request to be ended');
});

test("through the client's own undici Agent: requests go through it, and a timeout ends the request", async () => {
  const agent = new Agent({ connections: 4 });
  const dispatched: string[] = [];
  const counting = agent.compose((dispatch) => (options, handler) => {
    dispatched.push(options.path);
    return dispatch(options, handler);
  });
  try {
    const c = client({ dispatcher: counting, timeoutMs: 200 });
    await c.getUser('alice');
    await c.getUser('alice');
    expect(await c.getUser('hang').catch((e: unknown) => e)).toBeInstanceOf(TimeoutError);
    expect(dispatched).toEqual(['/v1/users/alice', '/v1/users/alice', '/v1/users/hang']);
    await until(() => closed.includes('/v1/users/hang'), 'the hung request to be ended');
  } finally {
    await agent.close().catch(() => undefined);
  }
});

test('a request that times out while waiting for a connection is never sent', async () => {
  // One connection: the hung request holds it (until its 600 ms run out), the next waits in
  // undici's queue and runs out of its 200 ms there, before the connection is free.
  const agent = new Agent({ connections: 1, pipelining: 1 });
  try {
    const c = client({ dispatcher: agent });
    await c.getUser('alice');
    const results = await Promise.all([
      c.getUser('hang', { timeoutMs: 600 }).catch((e: unknown) => e),
      c.getUser('alice', { timeoutMs: 200 }).catch((e: unknown) => e),
    ]);
    expect(results[0]).toBeInstanceOf(TimeoutError);
    expect(results[1]).toBeInstanceOf(TimeoutError);
    await until(() => closed.includes('/v1/users/hang'), 'the hung request to be ended');
    // The queued request is ended as soon as it gets its connection, before it is written: a
    // request sent after it arrives, and it never did.
    await c.getUser('alice');
    expect(arrived.get('/v1/users/alice')).toBe(2);
  } finally {
    await agent.close().catch(() => undefined);
  }
});

test('a fetch that throws instead of rejecting, once it has sent through the dispatcher: a ConnectionError, as before', async () => {
  let calls = 0;
  const throwing: FetchLike = (input, init) => {
    calls++;
    if (calls > 1) throw new TypeError('thrown, not rejected');
    return fetch(input, init as RequestInit);
  };
  const c = client({ fetch: throwing, timeoutMs: 1000 });
  await c.getUser('alice');
  const err = (await c.getUser('alice').catch((e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(ConnectionError);
  expect(err.message).toContain('thrown, not rejected');
});
