import { useState, type FormEvent } from 'react';
import { PASSWORD_RULES, USERNAME_RULES } from '../../../shared/contract/index';
import { quire } from '../ipc/client';
import { authStatusReceived, useAuthStatus } from '../state/session';
import { describeUnplaced, FieldError, FormError, issueFor, issuesOf } from '../components/FormError';

const FIELDS = ['username', 'displayName', 'password'];

/** First start: create the first supervisor. Afterwards: sign in. */
export function SignInScreen() {
  const status = useAuthStatus();
  const setup = status?.needsSetup ?? false;
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const next = setup
        ? await quire.call('auth.setup', { username, displayName, password })
        : await quire.call('auth.signIn', { username, password });
      authStatusReceived(next);
    } catch (e) {
      // What was typed stays, except the password.
      setFailure(e);
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  // Typing in a field clears the old messages: they described the previous attempt.
  const edit = (setter: (value: string) => void) => (e: { target: { value: string } }) => {
    setter(e.target.value);
    setFailure(null);
  };
  const issues = issuesOf(failure);
  const problem = (path: string) => issueFor(issues, path);
  const describedBy = (path: string, rules?: string) =>
    [rules, problem(path) ? `signin-${path}-error` : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <main className="gate">
      <form className="gate__card" onSubmit={submit} aria-labelledby="gate-title" noValidate>
        <h1 id="gate-title">{setup ? 'Set up this station' : 'Sign in to Quire'}</h1>
        {setup && <p className="muted">No accounts exist yet. The first account is a supervisor.</p>}
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={edit(setUsername)}
            aria-invalid={Boolean(problem('username'))}
            aria-describedby={describedBy('username', setup ? 'signin-username-rules' : undefined)}
            required
            autoFocus
          />
        </label>
        {setup && (
          <p id="signin-username-rules" className="rules">
            {USERNAME_RULES}
          </p>
        )}
        <FieldError id="signin-username-error" message={problem('username')} />
        {setup && (
          <>
            <label>
              Full name
              <input
                name="displayName"
                autoComplete="name"
                value={displayName}
                onChange={edit(setDisplayName)}
                aria-invalid={Boolean(problem('displayName'))}
                aria-describedby={describedBy('displayName')}
                required
              />
            </label>
            <FieldError id="signin-displayName-error" message={problem('displayName')} />
          </>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={setup ? 'new-password' : 'current-password'}
            value={password}
            onChange={edit(setPassword)}
            aria-invalid={Boolean(problem('password'))}
            aria-describedby={describedBy('password', setup ? 'signin-password-rules' : undefined)}
            required
          />
        </label>
        {setup && (
          <p id="signin-password-rules" className="rules">
            {PASSWORD_RULES}
          </p>
        )}
        <FieldError id="signin-password-error" message={problem('password')} />
        <FormError error={describeUnplaced(failure, FIELDS)} />
        <button type="submit" className="button button--primary" disabled={busy}>
          {setup ? 'Create supervisor account' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
