// The page's calls to the dashboard API: every one carries the dashboard token (from the page's
// meta tag, made at each start of the emulator); the API secret never reaches the page.

const TOKEN = document.querySelector<HTMLMetaElement>('meta[name="tokenkit-dashboard-token"]')?.content ?? '';
const BASE = '/_dashboard/api';

/** An API refusal, with the status and the server's message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-Dashboard-Token': TOKEN };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
  const data = (await res.json().catch(() => ({}))) as { error?: string; code?: number };
  if (!res.ok) throw new ApiFailure(res.status, data.error ?? `HTTP ${res.status}`, data.code);
  return data as T;
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}): Promise<T> => call<T>('POST', path, body);

/** The message to show for a failed call. */
export function failureText(err: unknown): string {
  if (err instanceof ApiFailure) return err.code === undefined ? err.message : `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads a Server-Sent Events stream with fetch (so that the token goes in a header, not the URL),
 * calling `onEvent` per event, and reconnecting after a break until `signal` aborts.
 */
export async function stream(path: string, onEvent: (event: string, data: string) => void, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await fetch(BASE + path, { headers: { 'X-Dashboard-Token': TOKEN }, signal, credentials: 'omit' });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) onEvent(event, data.join('\n'));
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
