import type { DeviceWork, ScannerHold } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';
import { conflict } from '../core/station-error';
import type { QueueModule } from '../queue/module';
import type { DevicesModule } from '../scanner/module';
import type { Actor } from './batch-policy';
import type { BatchStore } from './batches/batch-store';
import { scannerHold, type CaptureOutcome } from './scanner-hold';

/** Pages the rate is measured over: recent enough to follow a slower feeder, long enough to be steady. */
const RATE_WINDOW = 10;
const WAITING_STATES = ['waiting', 'delayed', 'retrying'] as const;
const IN_FLIGHT = new Set(['validating', 'capturing']);
/** The audit outcome of a person's look at a held scanner, recorded on each batch of the run. */
export const SCANNER_CHECKED = 'scanner checked';

export interface DeviceWorkDeps {
  core: CoreContext;
  store: BatchStore;
  queue: QueueModule;
  devices: DevicesModule;
  audit: AuditModule;
}

/**
 * What each scanner is working on, the batches waiting for it and whether it is held, for the
 * device cards and the queue ("Waiting for sim-2 (3 ahead)"). Announced as `device.work` after
 * every change of a batch or job on the scanner, at most once per turn of the event loop.
 */
export interface DeviceWorkModule {
  list(): Promise<DeviceWork[]>;
  forDevice(device: string): Promise<DeviceWork>;
  hold(device: string): ScannerHold | null;
  /** A person looked at a held scanner: recorded on each batch of the run; the hold lifts. */
  acknowledgeHold(device: string, actor: Actor, note: string): Promise<DeviceWork>;
  close(): void;
}

export function createDeviceWork(deps: DeviceWorkDeps): DeviceWorkModule {
  const { core, store, queue, audit } = deps;
  const holds = new Map<string, ScannerHold | null>();

  const captureJobs = async (device: string, state: string) =>
    (await queue.list({ queue: `device:${device}`, state: state as 'active', limit: 500 })).items;

  const current = async (device: string): Promise<DeviceWork['current']> => {
    const status = deps.devices.list().find((d) => d.name === device);
    const batchId = (await captureJobs(device, 'active'))[0]?.batchId ?? status?.alert?.job ?? null;
    const batch = batchId ? store.summary(batchId) : null;
    if (!batch) return null;
    const manifest = store.manifest(batch.id) as BatchManifest | null;
    const profile = manifest?.scanner_profile
      ? {
          dpi: manifest.scanner_profile.dpi,
          mode: manifest.scanner_profile.mode,
          bitDepth: manifest.scanner_profile.bit_depth,
        }
      : (status?.profile ?? { dpi: 300, mode: 'color' as const, bitDepth: 8 as const });
    const pages = store.pages(batch.id).sort((a, b) => a.capturedAt.localeCompare(b.capturedAt));
    const recent = pages.slice(-RATE_WINDOW);
    const span =
      recent.length >= 2 ? Date.parse(recent.at(-1)!.capturedAt) - Date.parse(recent[0]!.capturedAt) : 0;
    const pagesPerMinute = span > 0 ? ((recent.length - 1) * 60_000) / span : null;
    const remaining = batch.pagesExpected ? Math.max(0, batch.pagesExpected - batch.pagesDone) : null;
    const finishAt =
      pagesPerMinute && remaining !== null
        ? new Date(core.clock.now() + (remaining / pagesPerMinute) * 60_000).toISOString()
        : null;
    return {
      batchId: batch.id,
      title: batch.title,
      pagesDone: batch.pagesDone,
      pagesExpected: batch.pagesExpected,
      profile,
      lastPage: pages.at(-1)?.page ?? null,
      pagesPerMinute: pagesPerMinute === null ? null : Math.round(pagesPerMinute * 10) / 10,
      finishAt,
    };
  };

  const waiting = async (device: string): Promise<string[]> =>
    (await Promise.all(WAITING_STATES.map((state) => captureJobs(device, state))))
      .flat()
      .sort((a, b) => b.priority - a.priority || a.availableAt - b.availableAt || a.createdAt - b.createdAt)
      .flatMap((job) => (job.batchId ? [job.batchId] : []));

  const outcomes = (device: string): CaptureOutcome[] =>
    store.list({ device, limit: 25, offset: 0 }).items.map((batch) => {
      const failure = audit
        .list({ object: batch.id, type: 'quarantine', limit: 50 })
        .items.find((e) => e.object === batch.id && e.detail.startsWith('capturing:'));
      const acknowledged =
        failure !== undefined &&
        audit
          .list({ object: batch.id, outcome: SCANNER_CHECKED, limit: 50 })
          .items.some((e) => e.object === batch.id && e.seq > failure.seq);
      return {
        batchId: batch.id,
        inFlight: IN_FLIGHT.has(batch.stage),
        captureFailure: failure ? failure.detail.replace(/^capturing:\s*/, '') : null,
        failedAt: failure?.at ?? null,
        acknowledged,
      };
    });

  const hold = (device: string): ScannerHold | null => {
    if (!holds.has(device)) holds.set(device, scannerHold(device, outcomes(device)));
    return holds.get(device) ?? null;
  };

  const forDevice = async (device: string): Promise<DeviceWork> => ({
    device,
    current: await current(device),
    waiting: await waiting(device),
    hold: hold(device),
  });

  // Changes arrive in bursts (a page touches its batch and its job): one announcement per device
  // per turn of the event loop.
  const dirty = new Set<string>();
  let scheduled = false;
  const announce = (device: string) => {
    dirty.add(device);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const devices = [...dirty];
      dirty.clear();
      const known = new Set(deps.devices.list().map((d) => d.name));
      for (const name of devices)
        if (known.has(name))
          forDevice(name).then(
            (work) => core.events.emit('device.work', work),
            (error: Error) => core.logger.warn({ device: name, err: error.message }, 'device work not read'),
          );
    });
  };
  const deviceOfBatch = (batchId: string) => store.summary(batchId)?.device ?? null;
  const unsubscribe = core.events.subscribe((event) => {
    if (event.name === 'batch.updated') announce(event.payload.device);
    else if (event.name === 'job.updated' && event.payload.queue.startsWith('device:'))
      announce(event.payload.queue.slice('device:'.length));
    else if (event.name === 'quarantine.changed') {
      const device = deviceOfBatch(event.payload.batchId);
      if (device) {
        holds.delete(device);
        announce(device);
      }
    } else if (event.name === 'device.status' && (event.payload.state === 'JAMMED' || event.payload.alert))
      announce(event.payload.name);
  });

  return {
    list: () => Promise.all(deps.devices.list().map((d) => forDevice(d.name))),
    forDevice,
    hold,
    async acknowledgeHold(device, actor, note) {
      const held = hold(device);
      if (!held) throw conflict(`${device} is not held; there is nothing to acknowledge`);
      for (const batchId of held.batches)
        audit.record({
          type: 'capture',
          outcome: SCANNER_CHECKED,
          detail: `${actor.username} checked ${device} after repeated capture failures: ${note}`,
          object: batchId,
          person: actor.username,
        });
      holds.delete(device);
      const work = await forDevice(device);
      core.events.emit('device.work', work);
      return work;
    },
    close: () => unsubscribe(),
  };
}
