import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api';
import { PageTitle, Status, Time, TokenOut, useAction } from './shared';

interface UserRow {
  id: string;
  name?: unknown;
  role: string;
  requires_token: boolean;
  revoke_tokens_issued_before: string | null;
  guest: boolean;
}

interface UsersPage {
  users: UserRow[];
  total: number;
  page: number;
  per_page: number;
}

const PER_PAGE = 20;

export function UsersPage() {
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<UsersPage | null>(null);
  const [newId, setNewId] = useState('');
  const [newName, setNewName] = useState('');
  const [issued, setIssued] = useState<{ user: string; token: string } | null>(null);
  const list = useAction();
  const act = useAction();

  const load = async (q = query, p = page): Promise<void> => {
    const params = new URLSearchParams({ q, page: String(p), per_page: String(PER_PAGE) });
    setData(await get<UsersPage>(`/users?${params}`));
  };
  useEffect(() => void list.run(() => load()), [query, page]);

  const pages = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;
  const userAction = (id: string, what: string, done: string): void =>
    void act.run(async () => {
      const res = await post<{ token?: string }>(`/users/${encodeURIComponent(id)}/${what}`);
      if (what === 'token' && res.token) setIssued({ user: id, token: res.token });
      await load();
    }, done);
  const create = (e: Event): void => {
    e.preventDefault();
    void act.run(async () => {
      await post('/users', newName === '' ? { id: newId } : { id: newId, name: newName });
      setNewId('');
      setNewName('');
      await load();
    }, `User "${newId}" created.`);
  };

  return (
    <section aria-labelledby="page-heading">
      <PageTitle intro="The app's users: revoke or restore their tokens, issue one, or delete them all.">Users</PageTitle>
      <form class="panel inline" onSubmit={create} aria-labelledby="create-heading">
        <h2 id="create-heading">Create a user</h2>
        <label for="new-user-id">User id</label>
        <input id="new-user-id" required value={newId} onInput={(e) => setNewId((e.target as HTMLInputElement).value)} autocomplete="off" />
        <label for="new-user-name">Name (optional)</label>
        <input id="new-user-name" value={newName} onInput={(e) => setNewName((e.target as HTMLInputElement).value)} autocomplete="off" />
        <button type="submit" disabled={act.busy}>
          Create user
        </button>
      </form>
      <Status error={act.error} notice={act.notice} />
      {issued && <TokenOut id="issued-token" label={`Token issued by the platform for "${issued.user}"`} token={issued.token} />}

      <div class="panel">
        <label for="user-search">Search users (id or name)</label>
        <input
          id="user-search"
          type="search"
          value={query}
          onInput={(e) => {
            setQuery((e.target as HTMLInputElement).value);
            setPage(1);
          }}
        />
        <Status error={list.error} notice={data ? `${data.total} user(s)` : 'Loading…'} />
        <table>
          <caption class="visually-hidden">Users, page {page} of {pages}</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Guest</th>
              <th scope="col">requires_token</th>
              <th scope="col">Revocation cutoff</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data?.users.map((u) => (
              <tr key={u.id} data-user={u.id}>
                <th scope="row" class="user-id">{u.id}</th>
                <td class="user-name">{typeof u.name === 'string' ? u.name : ''}</td>
                <td>{u.guest ? 'guest' : 'no'}</td>
                <td>{u.requires_token ? 'yes' : 'no'}</td>
                <td>
                  <Time at={u.revoke_tokens_issued_before} />
                </td>
                <td class="actions">
                  <button type="button" aria-label={`Revoke now: ${u.id}`} onClick={() => userAction(u.id, 'revoke', `Tokens of "${u.id}" issued until now are revoked.`)}>
                    Revoke now
                  </button>
                  <button
                    type="button"
                    aria-label={`Restore: ${u.id}`}
                    disabled={u.revoke_tokens_issued_before === null}
                    onClick={() => userAction(u.id, 'restore', `The cutoff of "${u.id}" is removed.`)}
                  >
                    Restore
                  </button>
                  <button type="button" aria-label={`Issue a token: ${u.id}`} onClick={() => userAction(u.id, 'token', `A token was issued for "${u.id}".`)}>
                    Issue a token
                  </button>
                  <button
                    type="button"
                    aria-label={`Delete all tokens: ${u.id}`}
                    onClick={() => userAction(u.id, 'delete-tokens', `Every token of "${u.id}" is deleted.`)}
                  >
                    Delete all tokens
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <nav class="pager" aria-label="Users pages">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next page
          </button>
        </nav>
      </div>
    </section>
  );
}
