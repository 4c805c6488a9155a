import { isSafeId, SAFE_ID_PATTERN } from '../../shared/domain/safe-id';

export { isSafeId, SAFE_ID_PATTERN };

export function assertSafeId(id: string, what = 'id'): string {
  if (!isSafeId(id)) {
    throw new Error(
      `invalid ${what} ${JSON.stringify(id)}: use 1–64 characters of A–Z, a–z, 0–9, ".", "_" or "-" (not "." or "..")`,
    );
  }
  return id;
}
