import { useEffect, useState } from 'preact/hooks';
import { supabase } from './api.js';
import { ErrorBoundary, ErrorMessage, Spinner } from './components.jsx';
import { Link, navigate, usePath } from './router.jsx';
import { forgetFirstData } from './firstData.js';
import { firstSection, loadPage, sectionOf, sections } from './sections.js';
import { useTheme } from './theme.js';

function useLazyPage(id) {
  const [loaded, setLoaded] = useState({});
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!id || loaded[id]) return;
    setError(null);
    loadPage(id)
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
  const section = sectionOf(path);

  useEffect(() => {
    if (!section) navigate(`/${firstSection}`, { replace: true });
  }, [section]);

  // What boot asked for another section is dropped once a page is shown (and when signing out).
  useEffect(() => {
    if (section) forgetFirstData(section);
  }, [section]);
  useEffect(() => () => forgetFirstData(), []);

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
