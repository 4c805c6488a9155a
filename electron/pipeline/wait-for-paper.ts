import { TransientError } from '../queue/errors';
import type { StageDeps } from './stages';

/**
 * Wait-for-paper (off by default, per scanner): a batch whose scanner has it on does not start
 * capturing when it is created but when the operator loads paper, that is when the scanner's
 * feeder goes from empty to loaded. Sheets left in the feeder from an earlier batch never start
 * it: only loading after empty does. Works from the neutral status (adf EMPTY → LOADED), so
 * any driver that reports its feeder supports it. Waiting, like a jam, is the operator's time:
 * it is no failed attempt; the job's signal (shutdown, cancel) ends it, and a restart waits again.
 */
export function untilPaperLoaded(
  deps: StageDeps,
  device: string,
  batchId: string,
  signal: AbortSignal,
): Promise<void> {
  const status = () => deps.devices.list().find((d) => d.name === device);
  if (!status()?.waitForPaper) return Promise.resolve();
  deps.devices.setWaitingBatch(device, batchId);
  deps.audit.record({
    type: 'ingestion',
    outcome: 'waiting for paper',
    detail: `capture starts when paper is loaded into ${device}'s feeder`,
    object: batchId,
    person: 'system',
  });
  let sawEmpty = status()?.adf === 'EMPTY';
  return new Promise((resolve, reject) => {
    const finish = (how: 'loaded' | 'off' | Error) => {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      deps.devices.setWaitingBatch(device, null);
      if (how instanceof Error) return reject(how);
      deps.audit.record({
        type: 'ingestion',
        outcome: how === 'loaded' ? 'paper loaded' : 'wait for paper off',
        detail:
          how === 'loaded'
            ? `paper was loaded into ${device}'s feeder: capture starts`
            : `wait-for-paper was turned off for ${device}: capture starts`,
        object: batchId,
        person: 'system',
      });
      resolve();
    };
    const onAbort = () =>
      finish(new TransientError(`stopped while ${batchId} waited for paper on ${device}`));
    const unsubscribe = deps.core.events.subscribe((event) => {
      if (event.name !== 'device.status' || event.payload.name !== device) return;
      if (!event.payload.waitForPaper) return finish('off');
      if (event.payload.adf === 'EMPTY') sawEmpty = true;
      else if (event.payload.adf === 'LOADED' && sawEmpty) finish('loaded');
    });
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
  });
}
