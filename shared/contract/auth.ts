import { z } from 'zod';
import { command } from './define';
import { Role, SessionUser } from './session';

/** The rules, as the console shows them before anyone gets them wrong. */
export const USERNAME_RULES =
  '2–32 characters: lowercase letters, digits, ".", "_" or "-" (for example j.smith).';
export const PASSWORD_RULES = 'At least 10 characters; a few words make a good passphrase.';

export const Username = z
  .string()
  .regex(
    /^[a-z0-9._-]{2,32}$/,
    'Use 2–32 lowercase letters, digits, ".", "_" or "-" for the username (for example j.smith)',
  );
/** Long passphrases beat complex short ones; the cap stops hashing abuse. */
export const Password = z
  .string()
  .min(10, 'Use at least 10 characters for the password; a few words make a good passphrase')
  .max(256, 'Use at most 256 characters for the password');
const DisplayName = z
  .string()
  .trim()
  .min(1, 'Enter the person’s full name')
  .max(80, 'Use at most 80 characters for the name');

export const AuthStatus = z.object({
  /** No account exists yet: the first person to set up becomes the first supervisor. */
  needsSetup: z.boolean(),
  user: SessionUser.nullable(),
  locked: z.boolean(),
  idleLockMinutes: z.number().int().positive(),
  /**
   * A short-lived, single-use credential with which this console resumes its session after a
   * reload (kept in the tab's sessionStorage); each status replaces the previous one.
   */
  resume: z
    .object({ token: z.string().min(20).max(100), expiresAt: z.string() })
    .nullable()
    .optional(),
});
export type AuthStatus = z.infer<typeof AuthStatus>;

export const Account = SessionUser.extend({ disabled: z.boolean(), createdAt: z.string() });
export type Account = z.infer<typeof Account>;

export const authCommands = {
  'auth.status': command({
    input: z.object({}).strict(),
    output: AuthStatus,
    access: 'public',
    summary: 'Whether setup is needed, who is signed in on this connection, and whether it is locked.',
  }),
  'auth.setup': command({
    input: z.object({ username: Username, displayName: DisplayName, password: Password }).strict(),
    output: AuthStatus,
    access: 'public',
    summary: 'Creates the first supervisor; refused once any account exists.',
  }),
  'auth.signIn': command({
    input: z.object({ username: z.string().max(64), password: z.string().max(256) }).strict(),
    output: AuthStatus,
    access: 'public',
    summary: 'Signs this connection in; the person becomes the agent of what it does.',
  }),
  'auth.signOut': command({
    input: z.object({}).strict(),
    output: AuthStatus,
    access: 'public',
    summary: 'Signs this connection out.',
  }),
  'auth.resume': command({
    input: z.object({ token: z.string().min(1).max(100) }).strict(),
    output: AuthStatus,
    access: 'public',
    summary:
      'Resumes the session a resume credential stands for (after a reload); a locked session stays locked.',
  }),
  'auth.lock': command({
    input: z.object({}).strict(),
    output: AuthStatus,
    access: 'operator',
    summary: 'Locks the console (also done automatically after the idle time).',
  }),
  'auth.unlock': command({
    input: z.object({ password: z.string().max(256) }).strict(),
    output: AuthStatus,
    access: 'operator',
    summary: "Unlocks with the signed-in person's password.",
  }),
  'auth.activity': command({
    input: z.object({}).strict(),
    output: z.object({ ok: z.literal(true) }),
    access: 'operator',
    summary: 'The person is at the console (keyboard or mouse), so the idle lock waits.',
  }),
  'auth.accounts.list': command({
    input: z.object({}).strict(),
    output: z.array(Account),
    access: 'supervisor',
    summary: 'Every local account.',
  }),
  'auth.accounts.create': command({
    input: z
      .object({ username: Username, displayName: DisplayName, password: Password, role: Role })
      .strict(),
    output: Account,
    access: 'supervisor',
    summary: 'Creates an operator or supervisor account.',
  }),
  'auth.accounts.setDisabled': command({
    input: z.object({ username: Username, disabled: z.boolean() }).strict(),
    output: Account,
    access: 'supervisor',
    summary: 'Disables or re-enables an account (accounts are never deleted: they are audit agents).',
  }),
  'auth.accounts.resetPassword': command({
    input: z.object({ username: Username, password: Password }).strict(),
    output: Account,
    access: 'supervisor',
    summary: "Sets a new password for someone's account.",
  }),
};

export const authEvents = {};

/** Commands a locked session may still run. */
export const COMMANDS_ALLOWED_WHILE_LOCKED: ReadonlySet<string> = new Set([
  'auth.status',
  'auth.unlock',
  'auth.signOut',
]);
