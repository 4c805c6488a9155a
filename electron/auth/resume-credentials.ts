import { createHash, randomBytes } from 'node:crypto';

/** How long a resume credential lives: long enough for a reload, short enough to be worthless when stolen later. */
export const RESUME_TTL_MS = 2 * 60_000;

/** The live session a credential stands for; the auth module owns its shape. */
export interface ResumableSession {
  user: { id: string } | null;
  locked: boolean;
  lastActivityAt: number;
}

interface Held<S> {
  session: S;
  userId: string;
  expiresAt: number;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Short-lived, single-use credentials that let a reloaded console take over its session, which
 * lives in main. Only digests are kept; a session holds at most one credential (issuing rotates
 * it), and every credential of a person can be revoked at once (sign-out, account disabled).
 * Nothing here is written to disk: a station restart asks everyone to sign in again.
 */
export class ResumeCredentials<S extends ResumableSession> {
  private readonly byDigest = new Map<string, Held<S>>();
  private readonly current = new WeakMap<S, string>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = RESUME_TTL_MS,
  ) {}

  /** A fresh credential for a signed-in session; the one it had before stops working. */
  issue(session: S): { token: string; expiresAt: string } | null {
    if (!session.user) return null;
    this.revokeSession(session);
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const key = digest(token);
    const expiresAt = this.now() + this.ttlMs;
    this.byDigest.set(key, { session, userId: session.user.id, expiresAt });
    this.current.set(session, key);
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * Consumes a credential: returns the session it stands for (still signed in as the same
   * person), or null when it is unknown, expired, already used or revoked.
   */
  redeem(token: string): S | null {
    const key = digest(token);
    const held = this.byDigest.get(key);
    this.byDigest.delete(key);
    if (!held || held.expiresAt < this.now()) return null;
    if (this.current.get(held.session) === key) this.current.delete(held.session);
    if (held.session.user?.id !== held.userId) return null;
    return held.session;
  }

  revokeSession(session: S): void {
    const key = this.current.get(session);
    if (key) this.byDigest.delete(key);
    this.current.delete(session);
  }

  revokeUser(userId: string): void {
    for (const [key, held] of this.byDigest) if (held.userId === userId) this.byDigest.delete(key);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, held] of this.byDigest) if (held.expiresAt < now) this.byDigest.delete(key);
  }
}
