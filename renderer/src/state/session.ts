import { create } from 'zustand';
import type { AuthStatus } from '../../../shared/contract/index';

interface SessionSlice {
  status: AuthStatus | null;
}

/** Who is signed in on this console, as main reports it. Main enforces; this only mirrors. */
export const useSessionStore = create<SessionSlice>(() => ({ status: null }));

export const authStatusReceived = (status: AuthStatus) => useSessionStore.setState({ status });
export const useAuthStatus = () => useSessionStore((s) => s.status);
export const useCurrentUser = () => useSessionStore((s) => s.status?.user ?? null);
export const useIsSupervisor = () => useSessionStore((s) => s.status?.user?.role === 'supervisor');
