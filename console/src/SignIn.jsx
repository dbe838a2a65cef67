import { useState } from 'preact/hooks';
import { ApiError, supabase } from './api.js';
import { ErrorMessage } from './components.jsx';

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { error: refused } = await supabase.auth.signInWithPassword({ email: email.trim(), password });
      if (refused) throw new ApiError(refused, 'sign in');
    } catch (thrown) {
      setError(thrown);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div class="brand large" aria-hidden="true">
          <img src="/favicon.svg" alt="" width="32" height="32" /> agentbase
        </div>
        <h1 id="sign-in-title">Sign in to the console</h1>
        <label class="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" class="button primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">
          A new embedded server prints its demo users and their passwords when it starts.
        </p>
      </form>
    </main>
  );
}
