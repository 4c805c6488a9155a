import path from 'node:path';
import { StationError } from '../core/station-error';
import { FatalError, TransientError } from '../queue/errors';
import { masterFileName } from '../scanner/page-writer';
import { commitPartFile } from '../storage/index';
import { manifestOf, quarantineBatch, withAttempt, type StageDeps } from './stages';

type CaptureInput = { batchId: string; device: string; pages?: number[] };

/**
 * Resolves once the device is not jammed: the operator cleared the feeder and pressed RESET.
 * A jam is the operator's to fix, however long that takes, so waiting never counts as a failed
 * attempt (which would quarantine a batch whose operator was away for a few minutes). The job's
 * signal (shutdown, cancel) ends the wait.
 */
export function untilNotJammed(deps: StageDeps, device: string, signal: AbortSignal): Promise<void> {
  const jammed = () => deps.devices.list().find((d) => d.name === device)?.state === 'JAMMED';
  if (!jammed()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () =>
      finish(new TransientError(`stopped while ${device} waited for a RESET after a jam`));
    const unsubscribe = deps.core.events.subscribe((event) => {
      if (event.name === 'device.status' && event.payload.name === device && event.payload.state !== 'JAMMED')
        finish();
    });
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    else if (!jammed()) finish();
  });
}

/**
 * Capture: the device's own queue (one job at a time per scanner). Resumes after the pages
 * already staged; with `pages`, recaptures exactly those pages (after a supervisor's requeue)
 * into a fresh folder and moves them into their vacant slots. After a jam the pages before it
 * are kept, and capture goes on from the next one once the operator has reset the scanner.
 */
export async function captureStage(deps: StageDeps, input: CaptureInput, signal: AbortSignal): Promise<void> {
  const { batchId } = input;
  await withAttempt(deps, batchId, 'capturing', `device:${input.device}`, async () => {
    for (;;) {
      await untilNotJammed(deps, input.device, signal);
      const status = await captureRound(deps, input, signal);
      if (status === 'complete') return;
      // Jammed. A recapture of chosen pages starts over on a retry (its pages go to fresh
      // slots); a normal capture simply continues after the pages it kept.
      if (input.pages?.length) {
        await untilNotJammed(deps, input.device, signal);
        throw new TransientError('the scanner jammed during a recapture; it starts again');
      }
    }
  });
}

/** One CAPTURE on the scanner: stores and audits the pages it brought; 'jammed' if it jammed. */
async function captureRound(
  deps: StageDeps,
  input: CaptureInput,
  signal: AbortSignal,
): Promise<'complete' | 'jammed'> {
  const { batchId } = input;
  const manifest = manifestOf(deps, batchId);
  const masters = deps.core.layout.batchMasters(batchId);
  const recapture = input.pages?.length
    ? path.join(deps.core.layout.batchStaging(batchId), `recapture-${Date.now()}`)
    : null;
  const done = deps.store.pages(batchId).length;
  const wanted = recapture
    ? input.pages!.length
    : manifest.expected_pages === 'until_empty'
      ? null
      : manifest.expected_pages - done;
  if (wanted !== null && wanted <= 0) return 'complete';
  let result;
  try {
    result = await deps.devices.capture(input.device, {
      jobId: batchId,
      pages: wanted,
      dpi: manifest.scanner_profile.dpi,
      mode: manifest.scanner_profile.mode,
      bitDepth: manifest.scanner_profile.bit_depth,
      mastersDir: recapture ?? masters,
      signal,
    });
  } catch (error) {
    if (error instanceof StationError && error.code === 'NOT_FOUND')
      throw new FatalError(`device ${input.device} is not in the fleet`);
    throw error;
  }
  const identity = deps.devices.list().find((d) => d.name === input.device)?.identity;
  for (const page of result.pages) {
    let target = page.page;
    let file = page.path;
    if (recapture) {
      target = input.pages![page.page - 1]!;
      file = path.join(masters, masterFileName(target));
      await commitPartFile(page.path, file, { noOverwrite: true });
    }
    deps.store.addPage(batchId, {
      page: target,
      bytes: page.bytes,
      sha256: page.sha256,
      masterPath: file,
      capturedAt: new Date().toISOString(),
    });
    const object = `${batchId}/masters/${masterFileName(target)}`;
    deps.audit.record({
      type: 'capture',
      outcome: 'success',
      detail: `captured on ${input.device} (${identity?.serial ?? 'unknown serial'})`,
      object,
      person: manifest.operator,
    });
    deps.audit.record({
      type: 'message digest calculation',
      outcome: 'success',
      detail: `SHA-256 ${page.sha256}, verified against the scanner's`,
      object,
      person: 'system',
    });
  }
  deps.touched(batchId);
  if (result.checksumMismatches.length > 0) {
    quarantineBatch(deps, batchId, 'capturing', 'Checksum mismatch', {
      checksumMismatches: result.checksumMismatches,
    });
    throw new FatalError(result.error?.message ?? 'checksum mismatch');
  }
  if (result.status === 'complete') return 'complete';
  if (result.status === 'jammed' || result.error?.code === 'JAMMED') return 'jammed';
  const message = result.error?.message ?? result.status;
  if (result.status === 'interrupted' || result.error?.transient) throw new TransientError(message);
  throw new FatalError(message);
}
