import { useEffect, useRef, useState } from 'preact/hooks';
import { stream } from './api';
import type { RequestEntry } from '../wire';
import { PageTitle } from './shared';

/** Rows drawn at once (newest first); the rest of the buffer is reached by filtering. */
export const ROWS_SHOWN = 200;

function Detail({ entry, onClose }: { entry: RequestEntry; onClose: () => void }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [entry.seq]);
  const rows: Array<[string, string]> = [
    ['Time', new Date(entry.at).toISOString()],
    ['Method', entry.method],
    ['Path', entry.path],
    ['Route', entry.route ?? '(no contract route)'],
    ['Status', String(entry.status)],
    ['Code', entry.code === null ? '' : String(entry.code)],
    ['Message', entry.message ?? ''],
    ['User', entry.user ?? ''],
    ['Auth', entry.auth],
    ['Duration', `${entry.ms} ms`],
    ['Request id', entry.requestId],
    ['Fault', entry.fault ?? ''],
  ];
  return (
    <aside class="panel detail" aria-labelledby="detail-heading" tabIndex={-1} ref={ref}>
      <h2 id="detail-heading">Request {entry.seq}</h2>
      <dl>
        {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
      </dl>
      <button type="button" onClick={onClose}>
        Close details
      </button>
    </aside>
  );
}

export function RequestsPage() {
  const buffer = useRef<RequestEntry[]>([]);
  const [max, setMax] = useState(1000);
  const [total, setTotal] = useState(0);
  const [, setVersion] = useState(0);
  const [live, setLive] = useState(false);
  const [userFilter, setUserFilter] = useState('');
  const [codeFilter, setCodeFilter] = useState('');
  const [selected, setSelected] = useState<RequestEntry | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    let cap = 1000;
    let received = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Redrawn at most every 250 ms, however fast requests come.
    const redraw = (): void => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        setTotal(received);
        setVersion((v) => v + 1);
      }, 250);
    };
    void stream(
      '/requests/stream',
      (event, data) => {
        if (event === 'snapshot') {
          const snap = JSON.parse(data) as { requests: RequestEntry[]; total: number; max: number };
          cap = snap.max;
          setMax(snap.max);
          buffer.current = snap.requests.slice(-cap);
          received = snap.total;
          setLive(true);
        } else {
          const buf = buffer.current;
          buf.push(JSON.parse(data) as RequestEntry);
          received++;
          if (buf.length > cap * 1.25) buf.splice(0, buf.length - cap);
        }
        redraw();
      },
      abort.signal,
    );
    return () => {
      abort.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);

  const kept = buffer.current.slice(-max);
  const code = codeFilter.trim();
  const user = userFilter.trim().toLowerCase();
  const matching = kept.filter((r) => (code === '' || String(r.code ?? r.status) === code) && (user === '' || (r.user ?? '').toLowerCase().includes(user)));
  const shown = matching.slice(-ROWS_SHOWN).reverse();

  return (
    <section aria-labelledby="page-heading">
      <PageTitle intro="Every request to the platform, as it happens. No header value, secret or token is shown.">Requests</PageTitle>
      <div class="panel inline">
        <label for="filter-user">Filter by user</label>
        <input id="filter-user" value={userFilter} onInput={(e) => setUserFilter((e.target as HTMLInputElement).value)} autocomplete="off" />
        <label for="filter-code">Filter by code or status</label>
        <input id="filter-code" inputMode="numeric" value={codeFilter} onInput={(e) => setCodeFilter((e.target as HTMLInputElement).value)} autocomplete="off" />
      </div>
      <p id="requests-summary" role="status" aria-live="off" data-total={total} data-kept={kept.length} data-max={max}>
        {live ? 'Live.' : 'Connecting…'} {total} request(s) since the start; the last {max} are kept ({kept.length} now); {matching.length} match; the newest {shown.length} are
        shown.
      </p>
      <div class="split">
        <table class="requests">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Method</th>
              <th scope="col">Route</th>
              <th scope="col">Status</th>
              <th scope="col">Code</th>
              <th scope="col">User</th>
              <th scope="col">Auth</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.seq} data-seq={r.seq} class={selected?.seq === r.seq ? 'selected' : ''} onClick={() => setSelected(r)}>
                <td>
                  <button type="button" class="link" aria-label={`Details of request ${r.seq}`} onClick={(e) => (e.stopPropagation(), setSelected(r))}>
                    {new Date(r.at).toISOString().slice(11, 23)}
                  </button>
                </td>
                <td>{r.method}</td>
                <td>{r.route ?? r.path}</td>
                <td class={typeof r.status === 'number' && r.status < 400 ? 'ok' : 'refused'}>{r.status}</td>
                <td class="code">{r.code ?? ''}</td>
                <td class="user">{r.user ?? ''}</td>
                <td>{r.auth}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected && <Detail entry={selected} onClose={() => setSelected(null)} />}
      </div>
    </section>
  );
}
