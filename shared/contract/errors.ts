import { z } from 'zod';

export const ErrorCode = z.enum([
  'UNKNOWN_COMMAND',
  'INVALID_INPUT',
  'INVALID_MESSAGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'UNAVAILABLE',
  'INVALID_OUTPUT',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const WireIssue = z.object({ path: z.string(), message: z.string() });
export type WireIssue = z.infer<typeof WireIssue>;

export const WireError = z.object({
  code: ErrorCode,
  message: z.string(),
  issues: z.array(WireIssue).optional(),
});
export type WireError = z.infer<typeof WireError>;

/** Thrown by the typed client when a command fails; carries the structured error from main. */
export class QuireCommandError extends Error {
  override readonly name = 'QuireCommandError';
  readonly code: ErrorCode;
  readonly issues: WireIssue[];
  constructor(
    readonly command: string,
    error: WireError,
  ) {
    super(`${command}: ${error.message}`);
    this.code = error.code;
    this.issues = error.issues ?? [];
  }
}

/** Flattens zod issues into `path: message` pairs, every one of them, not only the first. */
export function toWireIssues(error: z.ZodError): WireIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

export function describeIssues(issues: readonly WireIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
