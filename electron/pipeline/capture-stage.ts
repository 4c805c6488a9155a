import type { DeviceStatus } from '../../shared/contract/index';
import { StationError } from '../core/station-error';
import { FatalError, TransientError } from '../queue/errors';
import type { CaptureResult } from '../scanner/device';
import { slotsSink } from '../scanner/page-sink';
import type { Actor } from './batch-policy';
import { reconcileStaging, recordCapturedPage, vacantSlots } from './page-ledger';
import { profileRefusalFor } from './profile-fit';
import { untilPaperLoaded } from './wait-for-paper';
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
 * A jam is part of the batch's story: its history (the audit log, which the console's batch
 * history shows) says where the scanner stopped and that the batch waits for a person. The
 * reset that follows is recorded by whoever pressed it (PipelineModule.resetAfterJam).
 */
type Fault = NonNullable<CaptureResult['fault']>;

function recordJam(deps: StageDeps, batchId: string, device: string, fault: Fault | null): void {
  const kept = deps.store.pages(batchId).length;
  // Another feeder fault than a jam (an open cover, a sheet in doubt) is recorded in its words.
  const what =
    fault && fault.code !== 'ADF_JAM' ? `stopped after ${kept} page(s) were kept: ${fault.message}` : null;
  deps.audit.record({
    type: 'capture',
    outcome: 'jammed',
    detail: what
      ? `${device} ${what}; capture waits for a person and a reset`
      : `${device} jammed after ${kept} page(s) were kept; capture waits for a person to clear the feeder and reset`,
    object: batchId,
    person: 'system',
  });
  deps.touched(batchId);
}

/**
 * RESET after a person cleared the feeder. The batch the scanner jammed on records who reset it:
 * with the jam before it, the batch's history says where it stopped and why it went on.
 */
export async function resetAfterJam(deps: StageDeps, device: string, actor: Actor): Promise<DeviceStatus> {
  const before = deps.devices.list().find((d) => d.name === device);
  const jammedBatch = before?.alert?.job ?? before?.job ?? null;
  const status = await deps.devices.reset(device);
  const batch = jammedBatch ? deps.store.summary(jammedBatch) : null;
  if (before?.state === 'JAMMED' && batch) {
    // A batch that ended while the scanner held (quarantined at a page it could not keep) does
    // not resume: its history must not say it does.
    const next =
      batch.stage === 'capturing'
        ? 'capture resumes after the pages kept'
        : `the batch is ${batch.stage}, so its capture does not resume`;
    deps.audit.record({
      type: 'capture',
      outcome: 'reset after jam',
      detail: `${actor.username} cleared the feeder of ${device} and reset it; ${next}`,
      object: batch.id,
      person: actor.username,
    });
    deps.touched(batch.id);
  }
  return status;
}

/**
 * Capture: the device's own queue (one job at a time per scanner). Every capture fills the
 * batch's vacant slots in order: the pages after the last one kept when a batch resumes (after
 * a jam, a crash or a dropped link), the slot of a page that failed its checksum when the batch
 * is requeued, or exactly the chosen pages when a supervisor asks for a recapture. A batch
 * never numbers past its expected count, and a page already kept is never replaced.
 */
export async function captureStage(deps: StageDeps, input: CaptureInput, signal: AbortSignal): Promise<void> {
  const { batchId } = input;
  await withAttempt(deps, batchId, 'capturing', `device:${input.device}`, async () => {
    // Only a batch that has not begun waits for paper; one resumed after a jam or a crash goes on.
    if (deps.store.pages(batchId).length === 0 && !input.pages?.length)
      await untilPaperLoaded(deps, input.device, batchId, signal);
    for (;;) {
      await untilNotJammed(deps, input.device, signal);
      const round = await captureRound(deps, input, signal);
      if (round === 'complete') return;
      // Jammed: the pages before the jam are kept; the next round fills the slots still vacant.
      recordJam(deps, batchId, input.device, round.jammed);
    }
  });
}

/** One CAPTURE on the scanner into the batch's vacant slots; 'jammed' if it jammed. */
async function captureRound(
  deps: StageDeps,
  input: CaptureInput,
  signal: AbortSignal,
): Promise<'complete' | { jammed: Fault | null }> {
  const { batchId } = input;
  const manifest = manifestOf(deps, batchId);
  const identity = deps.devices.list().find((d) => d.name === input.device)?.identity;
  const context = {
    batchId,
    device: input.device,
    serial: identity?.serial ?? 'unknown serial',
    operator: manifest.operator,
  };
  const { missing } = await reconcileStaging(deps, context);
  if (missing.length > 0) {
    const list = missing.join(', ');
    quarantineBatch(deps, batchId, 'capturing', 'Master missing from staging', {
      qcFindings: missing.map((page) => ({
        page,
        code: 'MASTER_MISSING',
        severity: 'error' as const,
        message: `page ${page} is recorded but its master is gone from staging`,
      })),
    });
    throw new FatalError(`recorded master(s) missing from staging: page ${list}`);
  }
  // The scanner may have changed (or been reached for the first time) since the batch was made.
  const misfit = profileRefusalFor(deps.devices, manifest);
  if (misfit) {
    quarantineBatch(deps, batchId, 'capturing', 'Profile not supported', {
      qcFindings: [{ page: null, code: 'PROFILE_NOT_SUPPORTED', severity: 'error', message: misfit.message }],
    });
    throw new FatalError(misfit.message);
  }
  const recorded = new Set(deps.store.pages(batchId).map((p) => p.page));
  const { slots, openFrom } = vacantSlots(manifest, recorded, input.pages, deps.store.pageExtent(batchId));
  if (openFrom === null && slots.length === 0) return 'complete';
  let result;
  try {
    result = await deps.devices.capture(input.device, {
      jobId: batchId,
      pages: openFrom === null ? slots.length : null,
      dpi: manifest.scanner_profile.dpi,
      mode: manifest.scanner_profile.mode,
      bitDepth: manifest.scanner_profile.bit_depth,
      ...(manifest.scanner_profile.source ? { source: manifest.scanner_profile.source } : {}),
      allowLossy: manifest.scanner_profile.allow_lossy ?? false,
      ...(manifest.scanner_profile.driver_options
        ? { driverOptions: manifest.scanner_profile.driver_options }
        : {}),
      mastersDir: deps.core.layout.batchMasters(batchId),
      sink: slotsSink(slots, openFrom, (page) => {
        recordCapturedPage(deps, context, page);
        deps.touched(batchId);
      }),
      signal,
    });
  } catch (error) {
    if (error instanceof StationError && error.code === 'NOT_FOUND')
      throw new FatalError(`device ${input.device} is not in the fleet`);
    throw error;
  }
  deps.touched(batchId);
  // Slots the scanner reached whose pages were not kept: owed by the batch from now on.
  const reached = [
    ...result.checksumMismatches.map((m) => m.page),
    ...(result.malformedPages ?? []).map((m) => m.page),
    ...(result.pagesNotKept ?? []),
    // Put back and rescanned, it fills its slot; not put back, the batch still owes it.
    ...(result.sheetLeftFeeder !== undefined ? [result.sheetLeftFeeder] : []),
  ];
  if (reached.length) deps.store.notePageExtent(batchId, Math.max(...reached));
  if (result.protocolErrors.length > 0) {
    quarantineBatch(deps, batchId, 'capturing', 'Scanner protocol error', {
      protocolErrors: result.protocolErrors,
      checksumMismatches: result.checksumMismatches,
    });
    throw new FatalError(result.error?.message ?? 'scanner protocol error');
  }
  if (result.malformedPages?.length) {
    // A page that is no whole image never took a final name; its slot stays vacant for a recapture.
    deps.audit.record({
      type: 'validation',
      outcome: 'failure',
      detail: result.malformedPages.map((m) => m.message).join('; '),
      object: batchId,
      person: 'system',
    });
    quarantineBatch(deps, batchId, 'capturing', 'Malformed image', {
      qcFindings: result.malformedPages.map((m) => ({
        page: m.page,
        code: 'MALFORMED_IMAGE',
        severity: 'error' as const,
        message: m.message,
      })),
      checksumMismatches: result.checksumMismatches,
    });
    throw new FatalError(result.error?.message ?? 'malformed image');
  }
  if (result.checksumMismatches.length > 0) {
    quarantineBatch(deps, batchId, 'capturing', 'Checksum mismatch', {
      checksumMismatches: result.checksumMismatches,
    });
    throw new FatalError(result.error?.message ?? 'checksum mismatch');
  }
  if (result.status === 'complete') {
    ensureOwedPagesCaptured(deps, batchId, slots);
    return 'complete';
  }
  if (result.status === 'jammed' || result.error?.code === 'JAMMED') return { jammed: result.fault };
  const message = result.error?.message ?? result.status;
  if (result.status === 'interrupted' || result.error?.transient) throw new TransientError(message);
  throw new FatalError(message);
}

/**
 * A feeder read until empty that ran empty before the slots the batch already owes (a page that
 * arrived earlier and was not kept, a page forgotten for a recapture) is not complete: without
 * this check the batch would go on without them, and no gap would show it.
 */
function ensureOwedPagesCaptured(deps: StageDeps, batchId: string, slots: number[]): void {
  const recorded = new Set(deps.store.pages(batchId).map((p) => p.page));
  const owed = slots.filter((page) => !recorded.has(page));
  if (owed.length === 0) return;
  const list = owed.join(', ');
  quarantineBatch(deps, batchId, 'capturing', `Page(s) ${list} missing: the feeder ran empty before them`, {
    qcFindings: owed.map((page) => ({
      page,
      code: 'PAGE_NOT_CAPTURED',
      severity: 'error' as const,
      message: `page ${page} reached the station before and was not kept; the feeder ran empty before it was scanned again`,
    })),
  });
  throw new FatalError(`the feeder ran empty before page(s) ${list}, which the batch owes`);
}
