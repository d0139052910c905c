import { useState } from 'preact/hooks';
import { post } from './api';
import { Json, PageTitle, Status, useAction } from './shared';

interface Inspection {
  kind: 'jwt' | 'dev' | 'session' | 'unreadable';
  header: Record<string, unknown> | null;
  claims: Array<{ name: string; value: string; words: string }>;
  verdict: { ok: boolean; status: number; code: number | null; reason: string; userId: string | null };
  times: { now: number; iat: number | null; exp: number | null; userCutoff: number | null; appCutoff: number | null };
}

const MARKS: Array<{ key: keyof Inspection['times']; label: string; cls: string }> = [
  { key: 'iat', label: 'iat', cls: 'mark-iat' },
  { key: 'exp', label: 'exp', cls: 'mark-exp' },
  { key: 'userCutoff', label: "user's cutoff", cls: 'mark-cutoff' },
  { key: 'appCutoff', label: "app's cutoff", cls: 'mark-cutoff' },
  { key: 'now', label: 'now', cls: 'mark-now' },
];

/** The token's life on a line: iat, exp, the cutoffs and now, in order of time. */
function Timeline({ times }: { times: Inspection['times'] }) {
  const marks = MARKS.filter((m) => times[m.key] !== null).map((m) => ({ ...m, at: times[m.key] as number })).sort((a, b) => a.at - b.at);
  const min = marks[0]?.at ?? 0;
  const max = marks[marks.length - 1]?.at ?? 1;
  const span = Math.max(1, max - min);
  const x = (at: number): number => 40 + ((at - min) / span) * 620;
  const description = marks.map((m) => `${m.label} ${new Date(m.at).toISOString()}`).join(', ');
  return (
    <figure class="timeline">
      <svg viewBox="0 0 700 120" role="img" aria-label={`Timeline: ${description}`}>
        <line x1={40} y1={60} x2={660} y2={60} class="axis" />
        {times.iat !== null && times.exp !== null && <rect x={x(times.iat)} y={52} width={Math.max(1, x(times.exp) - x(times.iat))} height={16} class="validity" />}
        {marks.map((m, i) => (
          <g key={m.key} class={m.cls}>
            <line x1={x(m.at)} y1={36} x2={x(m.at)} y2={84} />
            <text x={x(m.at)} y={i % 2 === 0 ? 28 : 104} text-anchor="middle">
              {m.label} {new Date(m.at).toISOString().slice(11, 23)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>{description}</figcaption>
    </figure>
  );
}

export function InspectorPage() {
  const [token, setToken] = useState('');
  const [out, setOut] = useState<Inspection | null>(null);
  const act = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    void act.run(async () => setOut(await post<Inspection>('/inspect', { token: token.trim() })));
  };
  const v = out?.verdict;
  return (
    <section aria-labelledby="page-heading">
      <PageTitle intro="Paste a token: its header, its claims in words, and the verdict the platform would give now.">Token inspector</PageTitle>
      <form class="panel" onSubmit={submit}>
        <label for="inspect-token">Token</label>
        <textarea id="inspect-token" rows={4} required spellcheck={false} value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" disabled={act.busy}>
          Inspect
        </button>
        <Status error={act.error} notice={act.notice} />
      </form>
      {out && v && (
        <div class="panel">
          <h2>Verdict</h2>
          <p id="verdict" class={v.ok ? 'verdict ok' : 'verdict refused'}>
            {v.ok ? `${v.status} OK` : `${v.code} ${v.reason}`}
            {v.ok ? ` — ${v.reason}` : ` (HTTP ${v.status})`}
          </p>
          <p>
            Kind: <strong>{out.kind}</strong>
          </p>
          <Timeline times={out.times} />
          <h2>Claims</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Value</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {out.claims.map((c) => (
                <tr key={c.name}>
                  <th scope="row">{c.name}</th>
                  <td>
                    <code>{c.value}</code>
                  </td>
                  <td>{c.words}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Header</h2>
          <Json label="Header" value={out.header} />
        </div>
      )}
    </section>
  );
}
