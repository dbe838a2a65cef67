import { useEffect, useState } from 'preact/hooks';
import { supabase } from './api.js';
import { ErrorBoundary, Spinner } from './components.jsx';
import { SignIn } from './SignIn.jsx';
import { Shell } from './Shell.jsx';

export function App() {
  // undefined: not known yet (the stored session is being read); null: signed out.
  const [session, setSession] = useState(undefined);

  useEffect(() => {
    supabase.auth.getSession().then(({ data }) => setSession(data.session ?? null));
    const { data } = supabase.auth.onAuthStateChange((_event, next) => setSession(next ?? null));
    return () => data.subscription.unsubscribe();
  }, []);

  return (
    <ErrorBoundary>
      {session === undefined ? (
        <main class="centered">
          <Spinner label="Opening the console" />
        </main>
      ) : session ? (
        <Shell session={session} />
      ) : (
        <SignIn />
      )}
    </ErrorBoundary>
  );
}
