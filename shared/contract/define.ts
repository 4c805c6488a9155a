import type { z } from 'zod';

/**
 * Who may call a command. Enforced in the main process by the dispatcher, never only in the UI:
 * - public: anyone connected (station info, sign-in);
 * - operator: any signed-in person (operators and supervisors);
 * - supervisor: supervisors only (quarantine decisions, settings, accounts).
 */
export type Access = 'public' | 'operator' | 'supervisor';

export interface CommandSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly access: Access;
  readonly summary: string;
}

export function command<I extends z.ZodType, O extends z.ZodType>(
  spec: CommandSpec<I, O>,
): CommandSpec<I, O> {
  return spec;
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  /**
   * Coalescing key: transports keep only the newest payload per key within a flush window,
   * so 16 busy scanners cannot flood the renderer. Without a key every event is delivered.
   */
  readonly coalesceKey?: (payload: z.output<P>) => string;
}

export function event<P extends z.ZodType>(spec: EventSpec<P>): EventSpec<P> {
  return spec;
}
