import { ZodError, type z } from 'zod';
import {
  commands,
  COMMANDS_ALLOWED_WHILE_LOCKED,
  isCommandName,
  toWireIssues,
  type CommandName,
  type CommandOutput,
  type Commands,
  type ErrorCode,
  type WireIssue,
  type SessionUser,
  type WireResult,
} from '../../shared/contract/index';
import { StationError } from '../core/station-error';
import type { Logger } from '../core/logger';

/** Per-connection state: one Electron window or one WebSocket client. */
export interface Session {
  user: SessionUser | null;
  /** Set by the idle lock: a locked session may only unlock or sign out. */
  locked: boolean;
  lastActivityAt: number;
}

export function newSession(now = Date.now()): Session {
  return { user: null, locked: false, lastActivityAt: now };
}

export interface HandlerContext {
  session: Session;
  transport: 'ipc' | 'ws' | 'test';
}

export type Handler<N extends CommandName> = (
  input: z.output<Commands[N]['input']>,
  context: HandlerContext,
) => Promise<CommandOutput<N>> | CommandOutput<N>;

/** The one handler table every transport serves: one entry per command in the contract. */
export type HandlerTable = { [N in CommandName]: Handler<N> };

export interface DispatchOptions {
  logger: Logger;
  /** Parse outputs too (dev and test builds), so a handler cannot leak a shape the contract lacks. */
  validateOutput: boolean;
  /** Idle lock and activity tracking (the auth module); absent in bare transport tests. */
  sessionGuard?: SessionGuard;
}

export interface SessionGuard {
  /**
   * Checks the session against the account store; signs it out (returning why) when it was
   * ended, or its account is disabled or gone.
   */
  revalidate(session: Session): Promise<string | null>;
  /** The same check from what the station knows now, without waiting (before each event push). */
  revalidateKnown(session: Session): string | null;
  applyIdleLock(session: Session): void;
  touch(session: Session): void;
}

/**
 * Whether core events may be pushed to this connection: only to a person who is signed in, with
 * an account still enabled, at a console that is not locked. Events carry batch ids, people and
 * audit details, which a connection nobody signed in on (or a locked console) must not see.
 */
export function maySeeEvents(session: Session, guard: SessionGuard | undefined): boolean {
  if (!session.user) return false;
  guard?.revalidateKnown(session);
  guard?.applyIdleLock(session);
  return session.user !== null && !session.locked;
}

/**
 * Runs one untrusted request against the table. Unknown names, bad payloads and missing rights
 * are answered with a typed error before any handler runs; handler failures never throw across
 * the boundary.
 */
export async function dispatch(
  table: HandlerTable,
  command: unknown,
  input: unknown,
  context: HandlerContext,
  options: DispatchOptions,
): Promise<WireResult> {
  if (!isCommandName(command)) {
    return fail('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(String(command)).slice(0, 120)}`);
  }
  const spec = commands[command];
  // Every command re-reads the account: disabling it ends its live sessions at their next step.
  const ended = (await options.sessionGuard?.revalidate(context.session)) ?? null;
  if (ended && spec.access !== 'public')
    return fail('UNAUTHENTICATED', `${ended}: sign in to use ${command}`);
  if (spec.access !== 'public') options.sessionGuard?.applyIdleLock(context.session);
  const denied = checkAccess(command, spec.access, context.session);
  if (denied) return denied;
  if (spec.access !== 'public') options.sessionGuard?.touch(context.session);

  const parsed = spec.input.safeParse(input);
  if (!parsed.success) {
    return fail('INVALID_INPUT', `invalid input for ${command}`, toWireIssues(parsed.error));
  }
  try {
    const handler = table[command] as (input: unknown, context: HandlerContext) => unknown;
    const output = await handler(parsed.data, context);
    if (options.validateOutput) {
      const checked = spec.output.safeParse(output);
      if (!checked.success) {
        options.logger.error({ command, issues: checked.error.issues }, 'handler output breaks the contract');
        return fail(
          'INVALID_OUTPUT',
          `${command} produced output that does not match its schema`,
          toWireIssues(checked.error),
        );
      }
      return { ok: true, output: checked.data };
    }
    return { ok: true, output };
  } catch (error) {
    if (error instanceof StationError) return fail(error.code, error.message, error.issues);
    if (error instanceof ZodError)
      return fail('INVALID_INPUT', `invalid input for ${command}`, toWireIssues(error));
    options.logger.error({ command, err: error }, 'command failed');
    return fail('INTERNAL', `${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function checkAccess(
  command: string,
  access: 'public' | 'operator' | 'supervisor',
  session: Session,
): WireResult | null {
  if (access === 'public') return null;
  if (!session.user) return fail('UNAUTHENTICATED', `sign in to use ${command}`);
  if (session.locked && !COMMANDS_ALLOWED_WHILE_LOCKED.has(command)) {
    return fail('UNAUTHENTICATED', `the console is locked; unlock it to use ${command}`);
  }
  if (access === 'supervisor' && session.user.role !== 'supervisor') {
    return fail('FORBIDDEN', `${command} is for supervisors; ${session.user.username} is an operator`);
  }
  return null;
}

function fail(code: ErrorCode, message: string, issues?: WireIssue[]): WireResult {
  return { ok: false, error: issues && issues.length ? { code, message, issues } : { code, message } };
}
