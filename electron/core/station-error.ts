import type { ErrorCode, WireIssue } from '../../shared/contract/index';

/**
 * An expected failure that a core module reports to its caller (not found, conflict, invalid
 * input…). Transports turn it into `{ ok: false, error: { code, message, issues } }`; the CLI
 * prints it as JSON. Anything else thrown is an INTERNAL error and is logged with its stack.
 */
export class StationError extends Error {
  override readonly name = 'StationError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: WireIssue[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new StationError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new StationError('CONFLICT', message);
export const unavailable = (message: string) => new StationError('UNAVAILABLE', message);
export const forbidden = (message: string) => new StationError('FORBIDDEN', message);
export const invalidInput = (message: string, issues: WireIssue[] = []) =>
  new StationError('INVALID_INPUT', message, issues);
