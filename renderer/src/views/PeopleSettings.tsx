import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { PASSWORD_RULES, USERNAME_RULES, type Account, type Role } from '../../../shared/contract/index';
import {
  describeError,
  describeUnplaced,
  FieldError,
  FormError,
  issueFor,
  issuesOf,
} from '../components/FormError';
import { quire } from '../ipc/client';
import { useCurrentUser } from '../state/session';

const EMPTY = { username: '', displayName: '', password: '', role: 'operator' as Role };
const FIELDS = ['username', 'displayName', 'password', 'role'];

/** Settings → People: supervisors add people, disable and re-enable them, and reset passwords. */
export function PeopleSettings() {
  const me = useCurrentUser();
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [draft, setDraft] = useState(EMPTY);
  const [createError, setCreateError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);

  const load = useCallback(
    () => quire.call('auth.accounts.list', {}).then(setAccounts, (e) => setError(describeError(e))),
    [],
  );
  useEffect(() => void load(), [load]);

  // A changed field drops its old message; the other fields keep theirs.
  const edit = (key: keyof typeof EMPTY) => (e: { target: { value: string } }) => {
    setDraft((d) => ({ ...d, [key]: e.target.value }));
    setCreateError(null);
  };

  async function create(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    try {
      const account = await quire.call('auth.accounts.create', draft);
      setStatus(`Added ${account.displayName} (${account.username}) as ${account.role}.`);
      setDraft(EMPTY);
      setCreateError(null);
      await load();
    } catch (e) {
      setCreateError(e);
      // Everything typed stays, except the password.
      setDraft((d) => ({ ...d, password: '' }));
    }
  }

  async function setDisabled(account: Account, disabled: boolean) {
    setStatus(null);
    setError(null);
    try {
      await quire.call('auth.accounts.setDisabled', { username: account.username, disabled });
      setStatus(
        disabled
          ? `Disabled ${account.username}; their open sessions have ended.`
          : `Re-enabled ${account.username}; they can sign in again.`,
      );
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  }

  const issues = issuesOf(createError);
  const problem = (path: string) => issueFor(issues, path);
  const described = (path: string) => (problem(path) ? `people-${path}-error` : undefined);

  return (
    <section aria-labelledby="people-title">
      <h2 id="people-title">People</h2>
      <table className="people findings" aria-label="Accounts">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.id} data-testid={`account-${a.username}`}>
              <td>{a.displayName}</td>
              <td className="mono">{a.username}</td>
              <td>{a.role}</td>
              <td>{a.disabled ? 'disabled' : 'active'}</td>
              <td className="row">
                {a.username !== me?.username && (
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => void setDisabled(a, !a.disabled)}
                  >
                    {a.disabled ? `Re-enable ${a.username}` : `Disable ${a.username}`}
                  </button>
                )}
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => setResetting(a.username)}
                >
                  Reset password of {a.username}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {resetting && (
        <ResetPassword
          username={resetting}
          onDone={(message) => {
            setResetting(null);
            if (message) setStatus(message);
          }}
        />
      )}
      <FormError error={error} />
      {status && <p role="status">{status}</p>}

      <form className="stack" onSubmit={create} aria-labelledby="add-person-title" noValidate>
        <h3 id="add-person-title">Add a person</h3>
        <label>
          Username
          <input
            value={draft.username}
            onChange={edit('username')}
            autoComplete="off"
            aria-invalid={Boolean(problem('username'))}
            aria-describedby={`people-username-rules ${described('username') ?? ''}`.trim()}
          />
        </label>
        <p id="people-username-rules" className="rules">
          {USERNAME_RULES}
        </p>
        <FieldError id="people-username-error" message={problem('username')} />
        <label>
          Full name
          <input
            value={draft.displayName}
            onChange={edit('displayName')}
            autoComplete="off"
            aria-invalid={Boolean(problem('displayName'))}
            aria-describedby={described('displayName')}
          />
        </label>
        <FieldError id="people-displayName-error" message={problem('displayName')} />
        <label>
          Role
          <select value={draft.role} onChange={edit('role')}>
            <option value="operator">operator</option>
            <option value="supervisor">supervisor</option>
          </select>
        </label>
        <label>
          Password
          <input
            type="password"
            value={draft.password}
            onChange={edit('password')}
            autoComplete="new-password"
            aria-invalid={Boolean(problem('password'))}
            aria-describedby={`people-password-rules ${described('password') ?? ''}`.trim()}
          />
        </label>
        <p id="people-password-rules" className="rules">
          {PASSWORD_RULES}
        </p>
        <FieldError id="people-password-error" message={problem('password')} />
        <FormError error={describeUnplaced(createError, FIELDS)} />
        <button type="submit" className="button button--primary">
          Add person
        </button>
      </form>
    </section>
  );
}

function ResetPassword({ username, onDone }: { username: string; onDone: (message?: string) => void }) {
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const problem = issueFor(issuesOf(failure), 'password');

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await quire.call('auth.accounts.resetPassword', { username, password });
      onDone(`Set a new password for ${username}. Tell them in person; they can sign in with it now.`);
    } catch (e) {
      setFailure(e);
      setPassword('');
    }
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="reset-title" noValidate>
      <h3 id="reset-title">New password for {username}</h3>
      <label>
        New password
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            setFailure(null);
          }}
          aria-invalid={Boolean(problem)}
          aria-describedby={`reset-rules${problem ? ' reset-error' : ''}`}
          autoFocus
        />
      </label>
      <p id="reset-rules" className="rules">
        {PASSWORD_RULES}
      </p>
      <FieldError id="reset-error" message={problem} />
      <FormError error={describeUnplaced(failure, ['password'])} />
      <div className="row">
        <button type="submit" className="button button--primary">
          Set password
        </button>
        <button type="button" className="button" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
