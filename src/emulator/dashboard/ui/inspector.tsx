import { useState } from 'preact/hooks';
import { post } from './api';
import type { Inspection } from '../wire';
import { Json, PageTitle, Status, useAction } from './shared';

const MARKS: Array<{ key: keyof Inspection['times']; label: string; cls: string }> = [
  { key: 'iat', label: 'iat', cls: 'mark-iat' },
  { key: 'exp', label: 'exp', cls: 'mark-exp' },
  { key: 'userCutoff', label: "user's cutoff", cls: 'mark-cutoff' },
  { key: 'appCutoff', label: "app's cutoff", cls: 'mark-cutoff' },
  { key: 'now', label: 'now', cls: 'mark-now' },
];

function gap(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${abs} ms`;
  if (abs < 120_000) return `${(abs / 1000).toFixed(abs < 10_000 ? 3 : 0)} s`;
  if (abs < 7_200_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 172_800_000) return `${Math.round(abs / 3_600_000)} h`;
  return `${Math.round(abs / 86_400_000)} days`;
}

/**
 * The token's life on a line: iat, exp, the cutoffs and now, in order of time. The marks are
 * evenly spaced (their order is what decides a verdict), with the time between each two written
 * under the line.
 */
function Timeline({ times }: { times: Inspection['times'] }) {
  const marks = MARKS.filter((m) => times[m.key] !== null).map((m) => ({ ...m, at: times[m.key] as number })).sort((a, b) => a.at - b.at);
  const step = marks.length > 1 ? 600 / (marks.length - 1) : 0;
  const x = (i: number): number => (marks.length > 1 ? 50 + i * step : 350);
  const iatIndex = marks.findIndex((m) => m.key === 'iat');
  const expIndex = marks.findIndex((m) => m.key === 'exp');
  const description = marks.map((m) => `${m.label} ${new Date(m.at).toISOString()}`).join(', ');
  return (
    <figure class="timeline">
      <svg viewBox="0 0 700 130" role="img" aria-label={`Timeline: ${description}`}>
        <line x1={20} y1={70} x2={680} y2={70} class="axis" />
        {iatIndex >= 0 && expIndex >= 0 && <rect x={x(iatIndex)} y={62} width={Math.max(2, x(expIndex) - x(iatIndex))} height={16} class="validity" />}
        {marks.map((m, i) => (
          <g key={m.key} class={m.cls}>
            <line x1={x(i)} y1={44} x2={x(i)} y2={90} />
            <text x={x(i)} y={20} text-anchor="middle" class="label">
              {m.label}
            </text>
            <text x={x(i)} y={36} text-anchor="middle">
              {new Date(m.at).toISOString().slice(11, 23)}
            </text>
            {i > 0 && (
              <text x={(x(i - 1) + x(i)) / 2} y={112} text-anchor="middle" class="gap">
                +{gap(m.at - marks[i - 1]!.at)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption>{description}. The marks are in order of time, evenly spaced; the time between two is written under the line.</figcaption>
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
