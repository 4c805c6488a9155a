import type { QueueModule } from '../queue/module';
import { quarantineBatch, type StageDeps } from './stages';

/**
 * Watches the queue's and the scanners' events for what the pipeline must follow up, and
 * returns how to stop watching:
 * - a stage job that ends in quarantine without the stage saying why (retries exhausted, worker
 *   lost) still quarantines its batch, with the last error;
 * - a scanner coming out of a jam promotes its capture jobs waiting out their backoff.
 */
export function watchJobsAndDevices(stages: StageDeps, queue: QueueModule): () => void {
  const { core, store } = stages;
  /** Devices last seen JAMMED (by name), so that only the way out of a jam promotes jobs. */
  const jammedDevices = new Set<string>();

  /** A jam was cleared: the device's capture jobs waiting out their backoff may run now. */
  const promoteWaitingCaptures = async (device: string) => {
    try {
      const waiting = await queue.list({ state: 'retrying', queue: `device:${device}` });
      for (const job of waiting.items) await queue.promote(job.id).catch(() => undefined);
    } catch (error) {
      core.logger.warn({ device, err: (error as Error).message }, 'could not promote waiting captures');
    }
  };

  return core.events.subscribe((event) => {
    if (event.name === 'job.updated') {
      const job = event.payload;
      if (job.state !== 'quarantined' || !job.batchId || !job.type.startsWith('batch.')) return;
      // A transfer that gave up leaves the finished package as it was: the job is quarantined
      // (and can be queued again with transfer.start), the completed batch stays completed.
      // A forwarded decision that failed was answered to the person who made it.
      if (job.type === 'batch.transfer' || job.type === 'batch.decide') return;
      const batch = store.summary(job.batchId);
      if (
        !batch ||
        batch.stage === 'quarantined' ||
        batch.stage === 'rejected' ||
        batch.stage === 'cancelled'
      )
        return;
      quarantineBatch(stages, job.batchId, batch.stage, job.lastError ?? 'the job failed', {});
    }
    if (event.name === 'device.removed') jammedDevices.delete(event.payload.name);
    if (event.name === 'device.status') {
      // The operator cleared a jam: waiting capture jobs of that device need not sit out their
      // backoff. Only that transition promotes them; every other status (about one a second
      // per device) leaves their backoff alone. OFFLINE and CONNECTING say nothing about the
      // jam, so a jam cleared while the scanner was away counts once it reports again.
      const { name, state } = event.payload;
      if (state === 'JAMMED') jammedDevices.add(name);
      else if (state !== 'OFFLINE' && state !== 'CONNECTING' && jammedDevices.delete(name))
        void promoteWaitingCaptures(name);
    }
  });
}
