import { useState, type FormEvent } from 'react';
import { quire } from '../ipc/client';
import { authStatusReceived, useAuthStatus } from '../state/session';
import { describeError, FormError } from '../components/FormError';

/** First start: create the first supervisor. Afterwards: sign in. */
export function SignInScreen() {
  const status = useAuthStatus();
  const setup = status?.needsSetup ?? false;
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const next = setup
        ? await quire.call('auth.setup', { username, displayName, password })
        : await quire.call('auth.signIn', { username, password });
      authStatusReceived(next);
    } catch (e) {
      setError(describeError(e));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="gate">
      <form className="gate__card" onSubmit={submit} aria-labelledby="gate-title">
        <h1 id="gate-title">{setup ? 'Set up this station' : 'Sign in to Quire'}</h1>
        {setup && <p className="muted">No accounts exist yet. The first account is a supervisor.</p>}
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </label>
        {setup && (
          <label>
            Full name
            <input
              name="displayName"
              autoComplete="name"
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              required
            />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={setup ? 'new-password' : 'current-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <FormError error={error} />
        <button type="submit" className="button button--primary" disabled={busy}>
          {setup ? 'Create supervisor account' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
