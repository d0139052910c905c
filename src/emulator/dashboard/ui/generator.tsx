import { useState } from 'preact/hooks';
import { post } from './api';
import { Json, PageTitle, Status, TokenOut, useAction } from './shared';

interface Generated {
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export function GeneratorPage() {
  const [userId, setUserId] = useState('');
  const [validity, setValidity] = useState('3600');
  const [out, setOut] = useState<Generated | null>(null);
  const gen = useAction();
  const submit = (e: Event): void => {
    e.preventDefault();
    void gen.run(async () => {
      setOut(null);
      setOut(await post<Generated>('/generate', { user_id: userId, validity_in_seconds: Number(validity) }));
    }, 'Token generated.');
  };
  return (
    <section aria-labelledby="page-heading">
      <PageTitle intro="Enter a user id, get a token: the emulator signs it with the app's secret (which never reaches this page).">Token generator</PageTitle>
      <form class="panel" onSubmit={submit}>
        <label for="gen-user-id">User id</label>
        <input id="gen-user-id" required value={userId} onInput={(e) => setUserId((e.target as HTMLInputElement).value)} autocomplete="off" />
        <label for="gen-validity">Validity (seconds)</label>
        <input id="gen-validity" type="number" min={1} required value={validity} onInput={(e) => setValidity((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={gen.busy}>
          Generate token
        </button>
        <Status error={gen.error} notice={gen.notice} />
      </form>
      {out && (
        <div class="panel">
          <TokenOut id="generated-token" label="Token" token={out.token} />
          <h2>Decoded</h2>
          <h3>Header</h3>
          <Json label="Header" value={out.header} />
          <h3>Claims</h3>
          <Json label="Claims" value={out.claims} />
        </div>
      )}
    </section>
  );
}
