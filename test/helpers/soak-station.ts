// A station process for crash tests: the real core on a data folder, its scanners elsewhere
// (the test's simulators survive the station's SIGKILL), with an operator and a supervisor
// played by code: a jam is reset, a quarantined batch is requeued. It prints one JSON line per
// batch change on stdout and exits 0 once every batch is completed.
// Run: node --import tsx test/helpers/soak-station.ts CONFIG.json
import { readFileSync } from 'node:fs';
import type { BatchSummary, SessionUser } from '../../shared/contract/index';
import { silentLogger } from '../../electron/core/logger';
import { StationError } from '../../electron/core/station-error';
import { createStation } from '../../electron/station';
import { armWriteFault } from '../../electron/storage/write-faults';

export interface SoakStationConfig {
  dataDir: string;
  devices: { name: string; port: number }[];
  /** Manifests; a batch that already exists (a restart) is left as it is. */
  batches: Record<string, unknown>[];
  /**
   * A full disk for this life: writes to staging and packages fail with ENOSPC until a batch
   * shows the failure (its last error names the full disk); then space "returns".
   */
  diskFull?: boolean;
}

const SUPERVISOR: SessionUser = {
  id: 'soak',
  username: 'soak-supervisor',
  displayName: 'Soak',
  role: 'supervisor',
};

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as SoakStationConfig;
  const station = await createStation({ dataDir: config.dataDir, logger: silentLogger(), runWorkers: true });
  const say = (line: object) => process.stdout.write(JSON.stringify(line) + '\n');
  const ids = config.batches.map((m) => String(m.batch_id));
  const finished = () => ids.every((id) => station.pipeline.store.summary(id)?.stage === 'completed');
  let exiting = false;
  const disarms = config.diskFull
    ? [armWriteFault(station.layout.staging), armWriteFault(station.layout.packages)]
    : [];

  const review = (batch: BatchSummary) => {
    if (batch.stage !== 'quarantined') return;
    const reason = station.settings.get().quarantineReasons[0]!;
    // Deferred: the quarantine is announced from inside the stage that raised it.
    setImmediate(async () => {
      try {
        await station.pipeline.decide(SUPERVISOR, {
          batchId: batch.id,
          decision: 'requeue',
          reason,
          note: 'soak',
        });
        say({ batch: batch.id, requeued: true });
      } catch (error) {
        if (!(error instanceof StationError)) throw error;
      }
    });
  };
  const onBatch = (batch: BatchSummary) => {
    say({ batch: batch.id, stage: batch.stage, pages: batch.pagesDone });
    if (disarms.length && /disk full|ENOSPC|no space/i.test(batch.lastError ?? '')) {
      disarms.splice(0).forEach((disarm) => disarm());
      say({ diskFull: 'seen, space returns', batch: batch.id, error: batch.lastError });
    }
    review(batch);
    if (!exiting && finished()) {
      exiting = true;
      say({ done: true });
      void station.close().then(() => process.exit(0));
    }
  };
  station.events.subscribe((event) => {
    if (event.name === 'batch.updated') onBatch(event.payload);
    if (event.name === 'device.status' && event.payload.state === 'JAMMED')
      setImmediate(() => void station.devices.reset(event.payload.name).catch(() => {}));
  });

  // A scanner that was jammed when this life began: the operator clears it as well.
  for (const device of station.devices.list())
    if (device.state === 'JAMMED') void station.devices.reset(device.name).catch(() => {});
  for (const device of config.devices)
    if (!station.devices.list().some((d) => d.name === device.name))
      station.devices.add({
        name: device.name,
        host: '127.0.0.1',
        port: device.port,
        profile: { dpi: 100, mode: 'gray', bitDepth: 8 },
      });
  for (const manifest of config.batches) {
    const existing = station.pipeline.store.summary(String(manifest.batch_id));
    if (existing) onBatch(existing);
    else await station.pipeline.create(manifest, null);
  }
  say({ started: true });
}

void main();
