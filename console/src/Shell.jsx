import { useEffect, useState } from 'preact/hooks';
import { supabase } from './api.js';
import { ErrorBoundary, ErrorMessage, Spinner } from './components.jsx';
import { Link, navigate, usePath } from './router.jsx';
import { useTheme } from './theme.js';

// Pages load on first visit, so the first download holds only the shell.
const pages = {
  chat: () => import('./pages/Chat.jsx').then((module) => module.ChatPage),
  memory: () => import('./pages/Memory.jsx').then((module) => module.MemoryPage),
  agents: () => import('./pages/Agents.jsx').then((module) => module.AgentsPage),
  org: () => import('./pages/Org.jsx').then((module) => module.OrgPage),
};

const sections = [
  { id: 'chat', label: 'Chat', href: '/chat' },
  { id: 'agents', label: 'Agents & tools', href: '/agents' },
  { id: 'org', label: 'Org chart', href: '/org' },
  { id: 'memory', label: 'Memory', href: '/memory' },
];

function useLazyPage(id) {
  const [loaded, setLoaded] = useState({});
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!pages[id] || loaded[id]) return;
    setError(null);
    pages[id]()
      .then((page) => setLoaded((current) => ({ ...current, [id]: page })))
      .catch(setError);
  }, [id, loaded]);
  return [loaded[id], error];
}

const themeLabels = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };
const nextTheme = { system: 'light', light: 'dark', dark: 'system' };

export function Shell({ session }) {
  const path = usePath();
  const [theme, setTheme] = useTheme();
  const [signOutError, setSignOutError] = useState(null);
  const segments = path.split('/').filter(Boolean);
  const section = sections.find((entry) => entry.id === segments[0])?.id;

  useEffect(() => {
    if (!section) navigate('/chat', { replace: true });
  }, [section]);

  const [Page, loadError] = useLazyPage(section);
  const current = sections.find((entry) => entry.id === section);

  useEffect(() => {
    if (current) document.title = `${current.label} · agentbase console`;
  }, [current]);

  async function signOut() {
    const { error } = await supabase.auth.signOut();
    if (error) setSignOutError(error);
  }

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>agentbase</span>
        </div>
        <nav aria-label="Sections" class="sections">
          {sections.map((entry) => (
            <Link
              key={entry.id}
              href={entry.href}
              class={entry.id === section ? 'section active' : 'section'}
              aria-current={entry.id === section ? 'page' : undefined}
            >
              {entry.label}
            </Link>
          ))}
        </nav>
        <div class="account">
          <button
            type="button"
            class="button ghost small"
            onClick={() => setTheme(nextTheme[theme])}
            title="Switch between the system, light and dark themes"
          >
            {themeLabels[theme]}
          </button>
          <span class="user-email" title={session.user.email}>
            {session.user.email}
          </span>
          <button type="button" class="button small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <ErrorMessage error={signOutError} onDismiss={() => setSignOutError(null)} />
      <main id="main" class="page" tabIndex={-1}>
        <ErrorBoundary key={section}>
          {loadError ? (
            <ErrorMessage error={loadError} />
          ) : Page ? (
            <Page session={session} path={segments} />
          ) : (
            <Spinner />
          )}
        </ErrorBoundary>
      </main>
    </div>
  );
}
