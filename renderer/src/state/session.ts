import { create } from 'zustand';
import type { AuthStatus } from '../../../shared/contract/index';

interface SessionSlice {
  status: AuthStatus | null;
}

/** Who is signed in on this console, as main reports it. Main enforces; this only mirrors. */
export const useSessionStore = create<SessionSlice>(() => ({ status: null }));

/** Where this tab keeps its resume credential: gone when the tab closes, kept across a reload. */
const RESUME_KEY = 'quire.resume';

export const authStatusReceived = (status: AuthStatus) => {
  try {
    if (status.user && status.resume) window.sessionStorage.setItem(RESUME_KEY, status.resume.token);
    else if (!status.user) window.sessionStorage.removeItem(RESUME_KEY);
  } catch {
    // Storage refused (private mode): a reload then asks the person to sign in again.
  }
  useSessionStore.setState({ status });
};

export const storedResumeToken = (): string | null => {
  try {
    return window.sessionStorage.getItem(RESUME_KEY);
  } catch {
    return null;
  }
};
export const forgetResumeToken = () => {
  try {
    window.sessionStorage.removeItem(RESUME_KEY);
  } catch {
    // nothing stored
  }
};
export const useAuthStatus = () => useSessionStore((s) => s.status);
export const useCurrentUser = () => useSessionStore((s) => s.status?.user ?? null);
export const useIsSupervisor = () => useSessionStore((s) => s.status?.user?.role === 'supervisor');
