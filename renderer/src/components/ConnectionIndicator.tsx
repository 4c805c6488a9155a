import { useConnectionState } from '../state/connection';

const LABELS = {
  connected: 'Connected to station',
  connecting: 'Connecting…',
  disconnected: 'Station unreachable — retrying',
} as const;

/** Text and colour, never colour alone. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  return (
    <div
      className={`connection connection--${state}`}
      role="status"
      aria-live="polite"
      data-testid="connection"
    >
      <span className="connection__dot" aria-hidden="true" />
      <span>{LABELS[state]}</span>
    </div>
  );
}
