// A station process for the mid-decision crash test: it captures one batch whose page 2 fails
// its checksum (quarantined), then a supervisor requeues pages 1 and 2, and QUIRE_TEST_STOP_IN_DECISION
// kills the process (SIGKILL) inside that decision. It prints one JSON line before deciding.
// Run: node --import tsx test/helpers/decision-crash-station.ts DATA_DIR
import type { SessionUser } from '../../shared/contract/index';
import { silentLogger } from '../../electron/core/logger';
import { createStation } from '../../electron/station';
import { exampleManifest } from './manifest';
import { untilBatch } from './station';

const SUPERVISOR: SessionUser = { id: 'sv', username: 'sofia', displayName: 'Sofia', role: 'supervisor' };

async function main(): Promise<void> {
  const station = await createStation({
    dataDir: process.argv[2]!,
    logger: silentLogger(),
    runWorkers: true,
    simulators: 1,
  });
  station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
  await station.pipeline.create(exampleManifest({ batch_id: 'CRASH-1', device: 'sim-1' }), null);
  await untilBatch(station, 'CRASH-1', 'quarantined');
  // The capture job that quarantined the batch ends after it did: decide once it has, as a
  // supervisor would, so the restart finds no job of the batch running.
  await new Promise<void>((resolve) => {
    const check = async () => {
      const jobs = await station.queue.list({ batchId: 'CRASH-1', limit: 100 });
      if (jobs.items.every((job) => !['waiting', 'active', 'retrying', 'delayed'].includes(job.state))) {
        unsubscribe();
        resolve();
      }
    };
    const unsubscribe = station.events.subscribe((event) => {
      if (event.name === 'job.updated') void check();
    });
    void check();
  });
  process.stdout.write(JSON.stringify({ quarantined: 'CRASH-1' }) + '\n');
  await station.pipeline.decide(SUPERVISOR, {
    batchId: 'CRASH-1',
    decision: 'requeue',
    // Page 1 was captured and recorded (its master is moved aside), page 2 failed (an empty slot).
    pages: [1, 2],
    reason: station.settings.get().quarantineReasons[0]!,
    note: 'recapture the failed page',
  });
  // Reached only without the stop: the test expects the process to die above.
  process.stdout.write(JSON.stringify({ decided: 'CRASH-1' }) + '\n');
  await station.close();
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
