import { z } from 'zod';

/**
 * Ids that become folder and file names (batches, devices, jobs): 1–64 of [A-Za-z0-9._-], as
 * ScanLink/1 defines ids, and never "." or "..", so no id can climb out of its folder.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Names Windows reserves for devices, whatever the case and whatever follows the first dot
 * ("con", "NUL.txt", "com1.tar.gz"): such a folder cannot be created there, so a package made
 * on Linux could not be copied to a Windows share. Refused on every platform.
 */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/** Why an id cannot be a file name on every system, or null when it can. */
export function unsafeIdReason(id: string): string | null {
  if (!SAFE_ID_PATTERN.test(id)) return 'Use 1–64 characters of A–Z, a–z, 0–9, ".", "_" or "-" (no spaces)';
  if (id === '.' || id === '..') return 'Use a name other than "." or ".."';
  const device = WINDOWS_DEVICE_NAME.exec(id);
  if (device)
    return `"${device[1]}" is a device name reserved by Windows (also with an extension); choose another name`;
  // Windows silently drops a trailing dot, so "b1." and "b1" would become one folder there.
  if (id.endsWith('.')) return 'The name may not end with "." (Windows drops it)';
  return null;
}

export function isSafeId(id: string): boolean {
  return unsafeIdReason(id) === null;
}

export const SafeId = z.string().superRefine((id, context) => {
  const reason = unsafeIdReason(id);
  if (reason) context.addIssue({ code: 'custom', message: reason });
});
