import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError, invalidInput, platformError } from './errors';
import { PROTO_KEY_MESSAGE, findProtoKey, userIdSchema } from '../schemas/common';

/**
 * The largest request body: 1 MiB (docs/platform-api.md, "Errors and limits").
 *
 * @example
 * ```ts
 * import { MAX_BODY_BYTES } from 'tokenkit/emulator';
 * const res = await fetch(`${emulator.url}/v1/users`, {
 *   method: 'POST',
 *   headers: { 'Api-Key': emulator.apiKey, Authorization: `Bearer ${emulator.serverToken()}`, 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ users: [{ id: 'big', blob: 'x'.repeat(MAX_BODY_BYTES) }] }),
 * });
 * console.log(res.status); // 413
 * ```
 */
export const MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(): PlatformError {
  return platformError('input', `request body too large: at most ${MAX_BODY_BYTES} bytes (1 MiB)`, undefined, 413);
}

/**
 * Reads a request body of at most {@link MAX_BODY_BYTES}; a larger one is refused with 413
 * (code 4) as soon as its `Content-Length` or its bytes say so. The rest is discarded.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The JSON body of a request. Routes without a body (`GET`, `DELETE`) take none (400 otherwise);
 * routes with one need `Content-Type: application/json` and valid JSON (400, code 4). An empty
 * body counts as `{}`.
 */
export function parseJsonBody(method: string, raw: Buffer, contentType: string | undefined): unknown {
  if (method === 'GET' || method === 'DELETE') {
    if (raw.length > 0) throw platformError('input', `${method} takes no request body`);
    return undefined;
  }
  if (raw.length === 0) return {};
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw platformError('input', 'Content-Type must be application/json');
  }
  const text = raw.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw platformError('input', 'request body is not valid JSON');
  }
  // A "__proto__" key is written as it is or with an escape (`"\u005f_proto__"`): a text with
  // neither holds none, and needs no walk through every object of the body.
  if (text.includes('__proto__') || text.includes('\\')) {
    const protoPath = findProtoKey(body);
    if (protoPath) throw platformError('input', `${protoPath}: ${PROTO_KEY_MESSAGE}`);
  }
  return body;
}

/** Sends a JSON answer with its request id and extra headers. */
export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** The checked `:id` of a path: 400 (code 4) where it is not a valid user id. */
export function pathId(rawId: string | undefined): string {
  if (rawId === undefined) return '';
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    throw platformError('input', 'Invalid id: the path segment is not valid percent-encoding');
  }
  const parsed = userIdSchema.safeParse(id);
  if (!parsed.success) throw invalidInput('path', parsed.error, 'id');
  return parsed.data;
}

/**
 * An answer that stays open: Server-Sent Events, first `snapshot` (as the event `snapshot`), then
 * one message per `subscribe` push, until the client goes. A handler returns it in place of a
 * JSON value (the dashboard's live request log); {@link sendEventStream} writes it.
 */
export class EventStream {
  constructor(
    readonly snapshot: unknown,
    readonly subscribe: (push: (data: unknown) => void) => () => void,
  ) {}
}

/** Writes an {@link EventStream} (200, `text/event-stream`) with extra headers; it ends when the client goes. */
export function sendEventStream(req: IncomingMessage, res: ServerResponse, stream: EventStream, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
  res.write(`event: snapshot\ndata: ${JSON.stringify(stream.snapshot)}\n\n`);
  const unsubscribe = stream.subscribe((data) => res.write(`data: ${JSON.stringify(data)}\n\n`));
  req.socket.setTimeout(0);
  res.on('close', unsubscribe);
}
