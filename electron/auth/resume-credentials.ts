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
 * lives in main. Only digests are kept; issuing rotates: a session holds its newest credential
 * and the one before (a page that reloads while a rotation is in flight never received the
 * newest), and redeeming either ends both. Every credential of a person can be revoked at once
 * (sign-out, account disabled). Nothing is written to disk: a station restart asks everyone to
 * sign in again.
 */
export class ResumeCredentials<S extends ResumableSession> {
  private readonly byDigest = new Map<string, Held<S>>();
  /** The session's live credentials, newest last (at most two). */
  private readonly current = new WeakMap<S, string[]>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = RESUME_TTL_MS,
  ) {}

  /** A fresh credential for a signed-in session; the one before the previous stops working. */
  issue(session: S): { token: string; expiresAt: string } | null {
    if (!session.user) return null;
    this.sweep();
    const live = this.current.get(session) ?? [];
    while (live.length >= 2) this.byDigest.delete(live.shift()!);
    const token = randomBytes(32).toString('base64url');
    const key = digest(token);
    const expiresAt = this.now() + this.ttlMs;
    this.byDigest.set(key, { session, userId: session.user.id, expiresAt });
    this.current.set(session, [...live, key]);
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
    if (!held) return null;
    // Used up together with its sibling: the session moves to one connection only.
    this.revokeSession(held.session);
    if (held.expiresAt < this.now() || held.session.user?.id !== held.userId) return null;
    return held.session;
  }

  revokeSession(session: S): void {
    for (const key of this.current.get(session) ?? []) this.byDigest.delete(key);
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
