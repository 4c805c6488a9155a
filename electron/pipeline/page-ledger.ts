import { promises as fs } from 'node:fs';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { CapturedPage } from '../scanner/page-writer';
import { removePartFiles } from '../storage/index';
import { sha256File } from './packaging/hashing';
import { masterObject, stagedMasters } from './staged-masters';
import type { StageDeps } from './stages';

export interface CaptureContext {
  batchId: string;
  device: string;
  serial: string;
  operator: string;
}

/**
 * Records a page that is now under its final name: its row and its PREMIS capture and digest
 * events in one transaction, so the database never knows a page without its audit trail or
 * the other way round.
 */
export function recordCapturedPage(
  deps: StageDeps,
  context: CaptureContext,
  page: CapturedPage,
  how: 'captured' | 'reconciled' = 'captured',
): void {
  const object = masterObject(context.batchId, page.page, page.path);
  deps.core.db.transaction(() => {
    deps.store.addPage(context.batchId, {
      page: page.page,
      bytes: page.bytes,
      sha256: page.sha256,
      masterPath: page.path,
      capturedAt: new Date(deps.core.clock.now()).toISOString(),
    });
    deps.audit.record({
      type: 'capture',
      outcome: 'success',
      detail:
        how === 'captured'
          ? `captured on ${context.device} (${context.serial})`
          : `captured on ${context.device} (${context.serial}); named before an interruption and recorded from staging when the batch resumed`,
      object,
      person: context.operator,
    });
    deps.audit.record({
      type: 'message digest calculation',
      outcome: 'success',
      detail:
        how === 'captured'
          ? page.checksumAnnounced === false
            ? `SHA-256 ${page.sha256}, computed while the bytes arrived (the scanner announces no checksum)`
            : `SHA-256 ${page.sha256}, verified against the scanner's`
          : `SHA-256 ${page.sha256}, computed from the staged master (verified against the scanner's before it was named)`,
      object,
      person: 'system',
    });
  })();
}

/**
 * Brings the database level with staging before a capture resumes. A master is named only
 * after its bytes were verified against the scanner and fsynced, and recorded right after; a
 * crash between the two leaves a named master without a row. Such pages are recorded now
 * (hashed from disk). A row whose master is gone is a lost page: that is never papered over,
 * the caller quarantines the batch. `.part` files of an interrupted attempt are removed first:
 * the capture job is the folder's only writer, and a crash between a page's link to its final
 * name and the unlink of its `.part` leaves both, with no capture left to clear the `.part`
 * when that page completed the batch.
 */
export async function reconcileStaging(
  deps: StageDeps,
  context: CaptureContext,
): Promise<{ recorded: number[]; missing: number[] }> {
  const mastersDir = deps.core.layout.batchMasters(context.batchId);
  const leftovers = await removePartFiles(mastersDir);
  if (leftovers.length > 0)
    deps.core.logger.warn(
      { batchId: context.batchId, leftovers },
      'removed .part files of an interrupted capture',
    );
  const onDisk = await stagedMasters(mastersDir);
  const rows = new Map(deps.store.pages(context.batchId).map((p) => [p.page, p]));
  const recorded: number[] = [];
  for (const [page, file] of [...onDisk].sort((a, b) => a[0] - b[0])) {
    if (rows.has(page)) continue;
    const { size } = await fs.stat(file);
    recordCapturedPage(
      deps,
      context,
      { page, bytes: size, sha256: await sha256File(file), path: file },
      'reconciled',
    );
    recorded.push(page);
  }
  const missing = [...rows.keys()].filter((page) => !onDisk.has(page)).sort((a, b) => a - b);
  return { recorded, missing };
}

/**
 * The page numbers a capture must fill, lowest first: for a counted batch every number from 1
 * to its expected count that has no page; for a feeder read until empty, every number up to the
 * highest the batch ever reached (its page extent: a page that arrived and was not kept counts)
 * that has no page, and the open end after it, returned as `openFrom`. With `chosen` (a
 * supervisor's recapture) only those of the chosen pages that are vacant.
 */
export function vacantSlots(
  manifest: BatchManifest,
  recorded: ReadonlySet<number>,
  chosen?: readonly number[],
  extent = 0,
): { slots: number[]; openFrom: number | null } {
  if (chosen?.length)
    return {
      slots: [...new Set(chosen)].filter((p) => !recorded.has(p)).sort((a, b) => a - b),
      openFrom: null,
    };
  const highest = Math.max(0, extent, ...recorded);
  const upTo = manifest.expected_pages === 'until_empty' ? highest : manifest.expected_pages;
  const slots: number[] = [];
  for (let page = 1; page <= upTo; page++) if (!recorded.has(page)) slots.push(page);
  return { slots, openFrom: manifest.expected_pages === 'until_empty' ? highest + 1 : null };
}
