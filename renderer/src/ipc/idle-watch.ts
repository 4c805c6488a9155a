import { quire } from './client';
import { authStatusReceived, useSessionStore } from '../state/session';

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'pointermove'] as const;
const REPORT_EVERY_MS = 60_000;

/**
 * Tells main that a person is at the console (at most once a minute), and locks the console
 * when nobody touched it for the configured time. Main enforces the same lock on its side,
 * so a renderer that skips this gains nothing.
 */
export function startIdleWatch(): () => void {
  let lastActivity = Date.now();
  let lastReported = 0;

  const onActivity = () => {
    lastActivity = Date.now();
    const status = useSessionStore.getState().status;
    if (status?.user && !status.locked && lastActivity - lastReported > REPORT_EVERY_MS) {
      lastReported = lastActivity;
      quire.call('auth.activity', {}).catch(() => {});
    }
  };
  ACTIVITY_EVENTS.forEach((name) => window.addEventListener(name, onActivity, { passive: true }));

  const timer = window.setInterval(() => {
    const status = useSessionStore.getState().status;
    if (!status?.user || status.locked) return;
    if (Date.now() - lastActivity > status.idleLockMinutes * 60_000) {
      quire.call('auth.lock', {}).then(authStatusReceived, () => {});
    }
  }, 5_000);

  return () => {
    ACTIVITY_EVENTS.forEach((name) => window.removeEventListener(name, onActivity));
    window.clearInterval(timer);
  };
}
