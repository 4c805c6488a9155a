import path from 'node:path';

/**
 * A test seam for a full disk: tests arm a fault for a folder, and every write the station
 * makes through storage (atomic files, renames into place, bag files) below that folder fails
 * the way the operating system fails it, with an ENOSPC error, until the fault is disarmed.
 * Nothing is armed in production, where the check is one empty-set lookup per write.
 */
interface WriteFault {
  folder: string;
  code: string;
}

const armed = new Set<WriteFault>();

const OS_MESSAGES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'i/o error',
};

/** Makes writes under `folder` fail with `code` (default ENOSPC); returns the function that disarms it. */
export function armWriteFault(folder: string, code = 'ENOSPC'): () => void {
  const fault = { folder: path.resolve(folder), code };
  armed.add(fault);
  return () => {
    armed.delete(fault);
  };
}

/** Throws the armed fault's error when `file` lies under an armed folder; called before every write. */
export function checkWriteFault(file: string, syscall = 'write'): void {
  if (armed.size === 0) return;
  const target = path.resolve(file);
  for (const fault of armed) {
    const relative = path.relative(fault.folder, target);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
      const text = OS_MESSAGES[fault.code] ?? 'write failed';
      throw Object.assign(new Error(`${fault.code}: ${text}, ${syscall} '${target}'`), {
        code: fault.code,
        syscall,
        path: target,
      });
    }
  }
}
