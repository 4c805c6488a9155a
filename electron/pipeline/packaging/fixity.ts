import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PremisEventType } from '../../../shared/contract/index';
import { inspectBag, type BagInspection, type BagVerdict } from './bag-verify';

/** How fixity checks reach the audit log, injected so packaging does not depend on the module. */
export type FixityRecorder = (event: {
  type: PremisEventType;
  outcome: string;
  detail: string;
  object: string;
  person: string;
}) => { id: string };

export interface FixityReport extends BagInspection {
  bag: string;
  /** The object the event links to: the bag's External-Identifier (the batch id), else its folder name. */
  object: string;
  checkedAt: string;
  /** The recorded PREMIS event, when a recorder was given. */
  eventId: string | null;
}

const MAX_DETAIL = 4000;

/** One line a person can act on: which files changed, went missing or appeared. */
export function fixityDetail(r: BagInspection): string {
  if (r.valid) return `${r.checked} file(s) re-hashed; every one matches its manifest`;
  const parts = [
    r.changed.length ? `changed: ${[...new Set(r.changed.map((c) => c.file))].join(', ')}` : '',
    r.missing.length ? `missing: ${r.missing.join(', ')}` : '',
    r.extra.length ? `not in the manifest: ${r.extra.join(', ')}` : '',
  ].filter(Boolean);
  const other = r.errors.length - r.changed.length - r.missing.length - r.extra.length;
  const text = parts.length ? parts.join('; ') : r.errors.join('; ');
  const full = other > 0 && parts.length ? `${text}; ${r.errors.slice(0, 3).join('; ')}` : text;
  return full.length > MAX_DETAIL ? `${full.slice(0, MAX_DETAIL - 1)}…` : full;
}

async function bagObject(bagDir: string): Promise<string> {
  try {
    const info = await fs.readFile(path.join(bagDir, 'bag-info.txt'), 'utf8');
    const id = /^External-Identifier:[ \t]*(.+)$/m.exec(info)?.[1]?.trim();
    if (id) return id;
  } catch {
    // No bag-info.txt: the folder name is the best identifier there is.
  }
  return path.basename(path.resolve(bagDir));
}

/**
 * Re-hashes a package against its manifests and names every changed, missing or extra file.
 * With a recorder, records a PREMIS "fixity check" event (outcome success or failure).
 */
export async function checkFixity(
  bagDir: string,
  options: { record?: FixityRecorder; person?: string; now?: () => number } = {},
): Promise<FixityReport> {
  const inspection = await inspectBag(bagDir);
  const object = await bagObject(bagDir);
  const event = options.record?.({
    type: 'fixity check',
    outcome: inspection.valid ? 'success' : 'failure',
    detail: fixityDetail(inspection),
    object,
    person: options.person ?? 'system',
  });
  return {
    ...inspection,
    bag: path.resolve(bagDir),
    object,
    checkedAt: new Date((options.now ?? Date.now)()).toISOString(),
    eventId: event?.id ?? null,
  };
}

/** The check without recording (kept for callers that record the event themselves). */
export async function fixityCheck(bagDir: string): Promise<BagVerdict & FixityReport> {
  return checkFixity(bagDir);
}
