import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api';
import { PageTitle, Status, Time, useAction } from './shared';

export interface AppView {
  revoke_tokens_issued_before: string | null;
  disable_auth_checks: boolean;
  access_token_permission: 'deny_login' | 'read_only' | 'read_write';
  jwt_enabled: boolean;
  jwt_compatibility_mode: boolean;
}

const PERMISSIONS: Array<{ value: AppView['access_token_permission']; label: string; help: string }> = [
  { value: 'deny_login', label: 'Deny login', help: 'Users must have a valid token to connect; unknown users are not created.' },
  { value: 'read_only', label: 'Read only', help: 'Users without a token may connect and read, but not write.' },
  { value: 'read_write', label: 'Read & Write', help: 'Users without a token may connect, read and write (the default; not for production).' },
];

function Toggle({ id, label, help, checked, onChange }: { id: string; label: string; help: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div class="setting">
      <input type="checkbox" id={id} checked={checked} aria-describedby={`${id}-help`} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
      <p class="help" id={`${id}-help`}>
        {help}
      </p>
    </div>
  );
}

/** An app secret as the dashboard shows it: its id and state, never its value. */
export interface SecretView {
  kid: string;
  state: 'primary' | 'active' | 'retired';
  created_at: string;
  promoted_at: string | null;
  retired_at: string | null;
}

const SECRET_STATES: Record<SecretView['state'], string> = {
  primary: 'signs what the platform issues; checked first for a token without kid',
  active: 'verifies tokens signed with it',
  retired: 'its tokens are refused (44)',
};

function SecretsPanel({ secrets }: { secrets: SecretView[] }) {
  return (
    <section class="panel" aria-labelledby="secrets-heading">
      <h2 id="secrets-heading">App secrets</h2>
      <p class="help">The secrets that sign and verify this app's tokens, by id (kid) and state. Values are never shown here: rotate with tokenkit secret add, promote and retire.</p>
      <table id="secrets">
        <thead>
          <tr>
            <th scope="col">kid</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Retired</th>
          </tr>
        </thead>
        <tbody>
          {secrets.map((s) => (
            <tr key={s.kid}>
              <td>
                <code>{s.kid}</code>
              </td>
              <td title={SECRET_STATES[s.state]}>{s.state}</td>
              <td>
                <Time at={s.created_at} />
              </td>
              <td>
                <Time at={s.retired_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function SettingsPage() {
  const [app, setApp] = useState<AppView | null>(null);
  const [secrets, setSecrets] = useState<SecretView[]>([]);
  const [draft, setDraft] = useState<AppView | null>(null);
  const save = useAction();
  const cutoff = useAction();

  const load = async (): Promise<void> => {
    const state = await get<{ app: AppView; secrets: SecretView[] }>('/state');
    setApp(state.app);
    setSecrets(state.secrets);
    setDraft(state.app);
  };
  useEffect(() => void save.run(load), []);

  if (!draft || !app) return <PageTitle intro="Loading the app settings…">App settings</PageTitle>;
  const set = (patch: Partial<AppView>): void => setDraft({ ...draft, ...patch });
  const onSubmit = (e: Event): void => {
    e.preventDefault();
    const { revoke_tokens_issued_before: _cutoff, ...settings } = draft;
    void save.run(async () => {
      const res = await post<{ app: AppView }>('/app', settings);
      setApp(res.app);
      setDraft(res.app);
    }, 'Saved.');
  };
  const moveCutoff = (path: string, done: string): void =>
    void cutoff.run(async () => {
      const res = await post<{ app: AppView }>(path);
      setApp(res.app);
      setDraft({ ...draft, revoke_tokens_issued_before: res.app.revoke_tokens_issued_before });
    }, done);

  return (
    <section aria-labelledby="page-heading">
      <PageTitle intro="How the platform treats this app's users and tokens. Changes apply when you click Save.">App settings</PageTitle>
      <form onSubmit={onSubmit} class="panel">
        <Toggle
          id="disable-auth-checks"
          label="Disable Auth Checks"
          help="Development only: the platform accepts dev tokens (not signed) and skips token signature checks."
          checked={draft.disable_auth_checks}
          onChange={(v) => set({ disable_auth_checks: v })}
        />
        <fieldset class="setting" aria-describedby="permission-help">
          <legend>Access token permission</legend>
          <p class="help" id="permission-help">
            What a user without a token may do.
          </p>
          {PERMISSIONS.map((p) => (
            <div class="radio" key={p.value}>
              <input
                type="radio"
                name="access_token_permission"
                id={`permission-${p.value}`}
                value={p.value}
                checked={draft.access_token_permission === p.value}
                onChange={() => set({ access_token_permission: p.value })}
              />
              <label for={`permission-${p.value}`}>{p.label}</label>
              <span class="help"> {p.help}</span>
            </div>
          ))}
        </fieldset>
        <Toggle
          id="jwt-enabled"
          label="JWT enabled"
          help="The platform issues JWTs; off: it issues stored legacy session tokens."
          checked={draft.jwt_enabled}
          onChange={(v) => set({ jwt_enabled: v })}
        />
        <Toggle
          id="compatibility-mode"
          label="JWT compatibility mode"
          help="Lets a user update (PUT with issue_session_token) still issue a token, for apps moving from session tokens to JWTs."
          checked={draft.jwt_compatibility_mode}
          onChange={(v) => set({ jwt_compatibility_mode: v })}
        />
        <button type="submit" disabled={save.busy}>
          Save
        </button>
        <Status error={save.error} notice={save.notice} />
      </form>

      <section class="panel" aria-labelledby="cutoff-heading">
        <h2 id="cutoff-heading">App-level revocation cutoff</h2>
        <p class="help">Every token issued before this instant is refused (code 44), for every user.</p>
        <p>
          Cutoff: <strong id="app-cutoff"><Time at={app.revoke_tokens_issued_before} /></strong>
        </p>
        <div class="actions">
          <button type="button" onClick={() => moveCutoff('/app/revoke', 'Every token issued until now is revoked.')} disabled={cutoff.busy}>
            Revoke now
          </button>
          <button type="button" onClick={() => moveCutoff('/app/undo-revoke', 'The app cutoff is removed.')} disabled={cutoff.busy || app.revoke_tokens_issued_before === null}>
            Undo
          </button>
        </div>
        <Status error={cutoff.error} notice={cutoff.notice} />
      </section>

      <SecretsPanel secrets={secrets} />
    </section>
  );
}
