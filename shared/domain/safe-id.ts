import { z } from 'zod';

/**
 * Ids that become folder and file names (batches, devices, jobs): 1–64 of [A-Za-z0-9._-], as
 * ScanLink/1 defines ids, and never "." or "..", so no id can climb out of its folder.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isSafeId(id: string): boolean {
  return SAFE_ID_PATTERN.test(id) && id !== '.' && id !== '..';
}

export const SafeId = z
  .string()
  .regex(SAFE_ID_PATTERN, 'use 1–64 characters of A–Z, a–z, 0–9, ".", "_" or "-"')
  .refine((id) => id !== '.' && id !== '..', 'may not be "." or ".."');
