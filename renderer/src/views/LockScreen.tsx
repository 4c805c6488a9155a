import { useState, type FormEvent } from 'react';
import { quire } from '../ipc/client';
import { authStatusReceived, useCurrentUser } from '../state/session';
import { describeError, FormError } from '../components/FormError';

export function LockScreen() {
  const user = useCurrentUser();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function unlock(event: FormEvent) {
    event.preventDefault();
    try {
      authStatusReceived(await quire.call('auth.unlock', { password }));
    } catch (e) {
      setError(describeError(e));
      setPassword('');
    }
  }

  async function signOut() {
    authStatusReceived(await quire.call('auth.signOut', {}));
  }

  return (
    <main className="gate">
      <form className="gate__card" onSubmit={unlock} aria-labelledby="lock-title">
        <h1 id="lock-title">Console locked</h1>
        <p className="muted">
          Locked after inactivity. {user?.displayName} ({user?.username}), enter your password to continue.
        </p>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoFocus
            required
          />
        </label>
        <FormError error={error} />
        <div className="row">
          <button type="submit" className="button button--primary">
            Unlock
          </button>
          <button type="button" className="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </form>
    </main>
  );
}
