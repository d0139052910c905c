import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api';
import { Json, PageTitle, Status, useAction } from './shared';

interface FaultsView {
  faults: { active: boolean; matched: number; injected: number; remaining: number; byAction: Record<string, number> };
  rate_limit: { limit: number; windowMs: number; routes?: string[] } | null;
}

export function FaultsPage() {
  const [data, setData] = useState<FaultsView | null>(null);
  const act = useAction();
  const load = async (): Promise<void> => setData(await get<FaultsView>('/faults'));
  useEffect(() => void act.run(load), []);
  const clear = (path: string, done: string): void => void act.run(async () => setData(await post<FaultsView>(path)), done);
  return (
    <section aria-labelledby="page-heading">
      <PageTitle intro="The fault plan and the rate limit set with emulator.faults / emulator.rateLimit (or /_emulator/faults over HTTP).">Faults</PageTitle>
      <div class="actions">
        <button type="button" onClick={() => void act.run(load, 'Refreshed.')}>
          Refresh
        </button>
      </div>
      <Status error={act.error} notice={act.notice} />
      {data && (
        <div class="grid">
          <section class="panel" aria-labelledby="plan-heading">
            <h2 id="plan-heading">Fault plan</h2>
            <dl>
              <dt>Active</dt>
              <dd id="faults-active">{data.faults.active ? 'yes' : 'no'}</dd>
              <dt>Requests matched</dt>
              <dd>{data.faults.matched}</dd>
              <dt>Faults injected</dt>
              <dd>{data.faults.injected}</dd>
              <dt>Faults remaining</dt>
              <dd>{data.faults.remaining}</dd>
            </dl>
            <Json label="Injected by action" value={data.faults.byAction} />
            <button type="button" onClick={() => clear('/faults/clear', 'Fault plan cleared.')}>
              Clear fault plan
            </button>
          </section>
          <section class="panel" aria-labelledby="rate-heading">
            <h2 id="rate-heading">Rate limit</h2>
            {data.rate_limit ? (
              <dl>
                <dt>Limit</dt>
                <dd id="rate-limit">
                  {data.rate_limit.limit} requests per {data.rate_limit.windowMs} ms, per route
                </dd>
                <dt>Routes</dt>
                <dd>{data.rate_limit.routes?.join(', ') ?? 'every contract route'}</dd>
              </dl>
            ) : (
              <p id="rate-limit">No rate limit.</p>
            )}
            <button type="button" onClick={() => clear('/rate-limit/clear', 'Rate limit cleared.')} disabled={!data.rate_limit}>
              Clear rate limit
            </button>
          </section>
        </div>
      )}
    </section>
  );
}
