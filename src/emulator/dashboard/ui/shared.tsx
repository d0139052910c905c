import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { failureText } from './api';

/** A status line read out by screen readers: an error (role alert) or a notice. */
export function Status({ error, notice }: { error?: string | null; notice?: string | null }) {
  if (error) return <p class="error" role="alert">{error}</p>;
  return <p class="notice" role="status" aria-live="polite">{notice ?? ''}</p>;
}

/** Runs an action, keeping its error or success message. */
export function useAction(): {
  error: string | null;
  notice: string | null;
  busy: boolean;
  run: (what: () => Promise<unknown>, done?: string) => Promise<void>;
} {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (what: () => Promise<unknown>, done?: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await what();
      setNotice(done ?? null);
    } catch (err) {
      setNotice(null);
      setError(failureText(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, notice, busy, run };
}

/** A heading that takes focus when its page opens (keyboard and screen-reader users land on it). */
export function PageTitle({ children, intro }: { children: ComponentChildren; intro: string }) {
  return (
    <header class="page-title">
      <h1 tabIndex={-1} id="page-heading">
        {children}
      </h1>
      <p class="intro">{intro}</p>
    </header>
  );
}

/** A read-only token with a copy button. */
export function TokenOut({ label, token, id }: { label: string; token: string; id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    const area = document.getElementById(id) as HTMLTextAreaElement | null;
    try {
      await navigator.clipboard.writeText(token);
    } catch {
      area?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };
  return (
    <div class="token-out">
      <label for={id}>{label}</label>
      <textarea id={id} readOnly rows={3} value={token} spellcheck={false} />
      <button type="button" onClick={() => void copy()}>
        Copy
      </button>
      <span role="status" aria-live="polite">{copied ? ' Copied' : ''}</span>
    </div>
  );
}

/** `12:00:00.123` (UTC) of an ISO date or epoch ms, with the full date in the title. */
export function Time({ at }: { at: string | number | null }) {
  if (at === null) return <span class="muted">none</span>;
  const iso = new Date(at).toISOString();
  return <time dateTime={iso} title={iso}>{iso.slice(0, 10)} {iso.slice(11, 23)}</time>;
}

/** Pretty JSON, as text. */
export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre class="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
