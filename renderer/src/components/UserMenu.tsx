import { quire } from '../ipc/client';
import { authStatusReceived, useCurrentUser } from '../state/session';

export function UserMenu() {
  const user = useCurrentUser();
  if (!user) return null;
  return (
    <div className="user-menu">
      <span data-testid="current-user">
        {user.displayName} · <span className={`role role--${user.role}`}>{user.role}</span>
      </span>
      <button
        type="button"
        className="button button--small"
        onClick={() => quire.call('auth.lock', {}).then(authStatusReceived)}
      >
        Lock
      </button>
      <button
        type="button"
        className="button button--small"
        onClick={() => quire.call('auth.signOut', {}).then(authStatusReceived)}
      >
        Sign out
      </button>
    </div>
  );
}
