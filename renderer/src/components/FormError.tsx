import { QuireCommandError } from '../../../shared/contract/index';

/** Turns a failed command into text that names what was wrong, field by field. */
export function describeError(error: unknown): string {
  if (error instanceof QuireCommandError) {
    const details = error.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return details
      ? `${error.message.replace(/^[\w.]+: /, '')} — ${details}`
      : error.message.replace(/^[\w.]+: /, '');
  }
  return error instanceof Error ? error.message : String(error);
}

export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}
