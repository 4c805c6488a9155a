/**
 * The serialisation the audit hash chain is computed over: JSON with object keys sorted at every
 * level, no whitespace, undefined members dropped. It is frozen: every stored hash depends on
 * these exact bytes, so the audit log owns its copy rather than sharing one that may evolve.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
