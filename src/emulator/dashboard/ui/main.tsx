import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { FaultsPage } from './faults';
import { GeneratorPage } from './generator';
import { InspectorPage } from './inspector';
import { RequestsPage } from './requests';
import { SettingsPage } from './settings';
import { UsersPage } from './users';

const PAGES = [
  { id: 'settings', title: 'App settings', Page: SettingsPage },
  { id: 'users', title: 'Users', Page: UsersPage },
  { id: 'generator', title: 'Token generator', Page: GeneratorPage },
  { id: 'inspector', title: 'Token inspector', Page: InspectorPage },
  { id: 'requests', title: 'Requests', Page: RequestsPage },
  { id: 'faults', title: 'Faults', Page: FaultsPage },
] as const;

function current(): (typeof PAGES)[number] {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p.id === id) ?? PAGES[0];
}

function App() {
  const [page, setPage] = useState(current);
  useEffect(() => {
    const onHash = (): void => setPage(current());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${page.title} · tokenkit emulator`;
    // After a page change (not the first load), keyboard focus goes to the new page's heading.
    if (document.activeElement !== document.body) document.getElementById('page-heading')?.focus();
  }, [page.id]);
  const { Page } = page;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('page-heading')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">tokenkit emulator</span>
        <nav aria-label="Dashboard pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main">
        <Page key={page.id} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
