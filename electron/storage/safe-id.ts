/**
 * Identifiers that become folder or file names (batch ids, job ids, device names). The same
 * rule as ScanLink/1 ids: 1–64 of [A-Za-z0-9._-], and never "." or ".." so no id can climb
 * out of its folder.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isSafeId(id: string): boolean {
  return SAFE_ID_PATTERN.test(id) && id !== '.' && id !== '..';
}

export function assertSafeId(id: string, what = 'id'): string {
  if (!isSafeId(id)) {
    throw new Error(
      `invalid ${what} ${JSON.stringify(id)}: use 1–64 characters of A–Z, a–z, 0–9, ".", "_" or "-" (not "." or "..")`,
    );
  }
  return id;
}
