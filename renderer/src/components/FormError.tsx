import { QuireCommandError, type WireIssue } from '../../../shared/contract/index';

/** A failed command's own message, without the command's name in front. */
export const commandMessage = (error: QuireCommandError) => error.message.replace(/^[\w.]+: /, '');

/** Turns a failed command into text that names what was wrong, field by field. */
export function describeError(error: unknown): string {
  if (error instanceof QuireCommandError) {
    const details = error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return details ? `${commandMessage(error)} — ${details}` : commandMessage(error);
  }
  return error instanceof Error ? error.message : String(error);
}

/** The issues of a failed command (or of a local check), by field path. */
export function issuesOf(error: unknown): WireIssue[] {
  return error instanceof QuireCommandError ? error.issues : [];
}

/** The first issue for a field (or anything inside it), for the message shown beside it. */
export function issueFor(issues: readonly WireIssue[], path: string): string | undefined {
  return issues.find((i) => i.path === path || i.path.startsWith(`${path}.`))?.message;
}

/**
 * What cannot be shown beside a field of the form: a failure without issues in its own words,
 * or the issues about fields the form does not have. Null when everything has its place.
 */
export function describeUnplaced(error: unknown, fields: readonly string[]): string | null {
  if (!error) return null;
  const issues = issuesOf(error);
  if (issues.length === 0) return describeError(error);
  const placed = (i: WireIssue) => fields.some((f) => i.path === f || i.path.startsWith(`${f}.`));
  const rest = issues.filter((i) => !placed(i));
  if (rest.length === 0) return null;
  return rest.map((i) => (i.path === '(root)' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}

export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}

/** A message beside its field; the field points at it with aria-describedby={id}. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}
