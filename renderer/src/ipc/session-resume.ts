import type { AuthStatus } from '../../../shared/contract/index';
import { authStatusReceived, forgetResumeToken, storedResumeToken, useSessionStore } from '../state/session';
import { quire } from './client';

/** Well inside the credential's two-minute life, so a reload at any moment finds a valid one. */
const ROTATE_EVERY_MS = 45_000;

/**
 * On every (re)connection: asks main who this connection is; a fresh connection (a reload, or
 * a station that came back) presents the tab's resume credential to take its session over.
 * Main decides: a locked session comes back locked, an ended one asks for sign-in.
 */
export async function resumeSession(): Promise<void> {
  let status: AuthStatus = await quire.call('auth.status', {});
  const token = storedResumeToken();
  if (!status.user && token) {
    try {
      status = await quire.call('auth.resume', { token });
    } catch {
      forgetResumeToken();
    }
  }
  authStatusReceived(status);
}

/** Replaces the credential regularly while connected and signed in (each status rotates it). */
export function startResumeRotation(): () => void {
  const timer = window.setInterval(() => {
    if (!useSessionStore.getState().status?.user) return;
    quire.call('auth.status', {}).then(authStatusReceived, () => {});
  }, ROTATE_EVERY_MS);
  return () => window.clearInterval(timer);
}
