import { useEffect, useState } from 'react';
import { useConnectionState, useStaleSince } from '../state/connection';

const LABELS = {
  connected: 'Connected to station',
  connecting: 'Connecting…',
  disconnected: 'Station unreachable — retrying',
  restarted: 'The station restarted — open the new link',
} as const;

/** Seconds since a moment, re-rendered every second while it matters. */
export function useSecondsSince(since: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [since]);
  return since === null ? null : Math.max(0, Math.round((now - since) / 1000));
}

export function describeAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** Text and colour, never colour alone; while the link is down, how old the figures on screen are. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  const staleFor = useSecondsSince(useStaleSince());
  return (
    <div
      className={`connection connection--${state}`}
      role="status"
      aria-live="polite"
      data-testid="connection"
    >
      <span className="connection__dot" aria-hidden="true" />
      <span>{LABELS[state]}</span>
      {staleFor !== null && (
        <span className="connection__stale" data-testid="last-seen">
          · last seen {describeAge(staleFor)} ago
        </span>
      )}
    </div>
  );
}
