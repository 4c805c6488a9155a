import path from 'node:path';
import type { LabState, StationHealth, StationInfo } from '../shared/contract/index';
import { systemClock, type Clock } from './core/clock';
import { EventBus } from './core/event-bus';
import { createLogger, type Logger } from './core/logger';
import {
  checkDatabase,
  checkDataDirWritable,
  diskSpace,
  ensureDataDir,
  lockDataDir,
  openDatabase,
  type DataDir,
  type DataDirLock,
  type Db,
} from './storage/index';
import { removeBuildingLeftovers } from './pipeline/packaging/bag-writer';
import { createAuditModule, type AuditModule } from './audit/module';
import { createAuthModule, type AuthModule } from './auth/module';
import { SqliteAccountStore } from './records/sqlite/account-store';
import { SqliteCatalogRecords } from './records/sqlite/catalog-records';
import { SqliteSettingsRecords } from './records/sqlite/settings-records';
import { localBatchChanges } from './pipeline/batches/batch-snapshot';
import type { ScryptParams } from './auth/password-hash';
import { createCatalogModule, type CatalogModule } from './catalog/module';
import { createPipelineModule, type PipelineModule } from './pipeline/module';
import { createQueueModule, labFromEnvironment, type LabOptions, type QueueModule } from './queue/module';
import { createDevicesModule, type DevicesModule } from './scanner/module';
import { SettingsStore } from './settings/settings-store';
import { createTrainingModule, type TrainingModule } from './training/module';
import {
  createTransferModule,
  EncryptedCredentialVault,
  FileCredentialVault,
  type SecretEncryption,
  type TransferModule,
} from './transfer/index';
import { QUIRE_VERSION } from './version';

/**
 * The composition root: the one place where the station's services are built and wired. The
 * Electron app, the WebSocket bridge, the CLI and the tests all build the same core through it,
 * choosing only options (data folder, clock, logger, simulated scanners).
 */
/** How the built-in simulators pace themselves in the default app: like a real batch scanner. */
export const REALISTIC_SIMULATOR_TIMING = { feedMs: 400, captureMs: 600, flushBytesPerSecond: 8_000_000 };

export interface StationOptions {
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Electron's version when running inside the app; null under plain Node (CLI, tests). */
  electronVersion?: string | null;
  /** Simulated ScanLink/1 scanners to start on loopback (the default app: 3; tests: 0). */
  simulators?: number;
  /**
   * Run queue workers (the app and `quire serve`). Off for CLI commands that only inspect or
   * act on a data folder the app may be using: starting workers recovers "lost" active jobs.
   */
  runWorkers?: boolean;
  /** Pacing of the simulators (the app shows realistic timing; tests run flat out). */
  simulatorTiming?: { feedMs: number; captureMs: number; flushBytesPerSecond: number | null };
  /** Sheets in each simulator's feeder at start (devices module); default: it never empties. */
  simulatorSheets?: number;
  /** Simulated eSCL scanners beside the ScanLink ones (the default app: 1; tests: 0). */
  esclSimulators?: number;
  /** scrypt cost for new password hashes; only tests lower it (default: CURRENT_PARAMS). */
  passwordHashParams?: ScryptParams;
  /**
   * Take the data folder's exclusive lock (default true): a second station on the folder is
   * refused, naming the holder. Off only for CLI commands that touch nothing but the database
   * (listing or retrying jobs, reading the audit log), which SQLite lets run beside a station.
   */
  exclusive?: boolean;
  /**
   * Lab mode (--lab, QUIRE_LAB_REDIS): the queue runs on the lab's Redis with BullMQ, shared
   * with the lab's other stations. Null: the station's own SQLite queue; left out: from the
   * environment (QUIRE_LAB_REDIS, QUIRE_STATION, QUIRE_LAB_STORAGE), as the app does.
   */
  lab?: LabOptions | null;
  /**
   * The lab's PostgreSQL (--lab-db, QUIRE_LAB_DATABASE), postgres://user@host:port/database:
   * the station's accounts and sessions live there, shared with the lab's other stations. Null:
   * the station's own SQLite; left out: from QUIRE_LAB_DATABASE, as the app does.
   */
  labDatabase?: string | null;
  /**
   * How the app seals destination secrets (Electron's safeStorage, passed by main.ts). Without
   * it (the CLI, tests) they are kept in owner-only files under `<data>/credentials`.
   */
  secretEncryption?: SecretEncryption;
}

export interface Station {
  readonly layout: DataDir;
  readonly db: Db;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly settings: SettingsStore;
  readonly auth: AuthModule;
  readonly audit: AuditModule;
  readonly queue: QueueModule;
  readonly devices: DevicesModule;
  readonly catalog: CatalogModule;
  readonly pipeline: PipelineModule;
  /** Practice scanners and faults; refused unless the station is in training mode. */
  readonly training: TrainingModule;
  readonly transfer: TransferModule;
  /** Lab mode's options (this station's name in the lab, its Redis and share); null alone. */
  readonly lab: LabOptions | null;
  /** A lab station's links to the lab's queue and database (also announced as `lab.changed`). */
  labState(): LabState | null;
  info(): StationInfo;
  health(): Promise<StationHealth>;
  close(): Promise<void>;
}

export async function createStation(options: StationOptions): Promise<Station> {
  const clock = options.clock ?? systemClock;
  // The lock comes before anything touches the folder: a second station stops here.
  const lock: DataDirLock | null =
    (options.exclusive ?? true) ? lockDataDir(options.dataDir, () => clock.now()) : null;
  try {
    return await buildStation(options, clock, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function buildStation(
  options: StationOptions,
  clock: Clock,
  lock: DataDirLock | null,
): Promise<Station> {
  const lab = options.lab === undefined ? labFromEnvironment() : options.lab;
  // In a lab, the batches' staging and packages are in the lab's storage root (data-dir.ts).
  const layout = ensureDataDir(
    options.dataDir,
    lab?.storage ? { root: lab.storage, station: lab.station } : null,
  );
  const logger = options.logger ?? createLogger(layout.logs);
  if (lock) {
    // Half-built bags of a crashed or failed packaging attempt: ours alone to remove, under the lock.
    const removed = await removeBuildingLeftovers(layout.packages);
    if (removed.length) logger.warn({ removed }, 'removed half-built packages left by an earlier run');
  }
  const db = openDatabase(layout.database);
  const events = new EventBus((error) => logger.error({ err: error }, 'event listener failed'));
  const startedAt = clock.now();
  let closed = false;
  let settleTimer: NodeJS.Timeout | null = null;
  let retentionTimer: NodeJS.Timeout | null = null;

  const core = { layout, db, events, logger, clock };
  const settings = await SettingsStore.open(core, new SqliteSettingsRecords(db, clock));
  const labDatabase =
    options.labDatabase === undefined ? process.env.QUIRE_LAB_DATABASE || null : options.labDatabase;
  // Announced whenever the lab's queue or database link changes; read by `station.lab`.
  const labState = (): LabState | null =>
    lab
      ? {
          station: lab.station,
          queue: (({ connected, detail }) => ({ connected, detail }))(queue.connection()),
          database: labRecords?.state() ?? null,
        }
      : null;
  /** The queue announces its link while it is being built: not before it exists. */
  let queueBuilt = false;
  const announceLab = () => {
    const state = closed || !queueBuilt ? null : labState();
    if (state) events.emit('lab.changed', state);
  };
  // PostgreSQL's client loads only for a lab database.
  const labRecords = labDatabase
    ? await (
        await import('./records/lab-records')
      ).openLabRecords(labDatabase, {
        station: lab?.station ?? settings.get().stationName,
        clock,
        logger,
        onState: () => announceLab(),
      })
    : null;
  // In a lab the lab-wide settings are the lab's from here on (the station name above is local).
  if (labRecords) await settings.joinLab(labRecords.settings);
  const auth = await createAuthModule(core, {
    settings,
    store: labRecords?.accounts ?? new SqliteAccountStore(db),
    station: () => lab?.station ?? settings.get().stationName,
    passwordHashParams: options.passwordHashParams,
  });
  const audit = await createAuditModule(core, {
    station: () => `${settings.get().stationName}, ${settings.get().organizationName}`,
  });
  // The queue starts before the devices; a capture queue is this station's once its device is.
  let ownsDevice: (name: string) => boolean = () => false;
  const queue = await createQueueModule(core, {
    lab,
    ownsDeviceQueue: (q) => ownsDevice(q.slice('device:'.length)),
    onConnection: () => announceLab(),
  });
  queueBuilt = true;
  const devices = await createDevicesModule(core, {
    audit,
    simulators: options.simulators ?? 0,
    simulatorTiming: options.simulatorTiming,
    simulatorSheets: options.simulatorSheets,
    esclSimulators: options.esclSimulators ?? 0,
  });
  ownsDevice = (name) => devices.list().some((d) => d.name === name);
  const catalog = await createCatalogModule(core, {
    queue,
    audit,
    records: labRecords?.catalog ?? new SqliteCatalogRecords(db),
  });
  const credentialFiles = new FileCredentialVault(path.join(layout.root, 'credentials'));
  const transfer = createTransferModule({
    db,
    vault: options.secretEncryption
      ? new EncryptedCredentialVault(options.secretEncryption, credentialFiles)
      : credentialFiles,
    recorder: audit,
    progress: (status) => events.emit('transfer.progress', status),
    clock,
    logger,
    // Read only once the pipeline exists (retention runs after a transfer or on a sweep).
    local: {
      stage: (id) => pipeline.store.summary(id)?.stage ?? null,
      staging: (id) => layout.batchStaging(id),
      package: (id) => layout.batchPackage(id),
    },
  });
  const pipeline = await createPipelineModule(core, {
    transfer,
    queue,
    catalog,
    devices,
    audit,
    organizationName: () => settings.get().organizationName,
    quarantineReasons: () => settings.get().quarantineReasons,
    lab: lab ? { station: lab.station, storage: lab.storage ?? null } : null,
    labRecords: labRecords?.batches ?? null,
  });
  const training = createTrainingModule(core, { settings, devices });

  const station: Station = {
    layout,
    db,
    events,
    logger,
    clock,
    settings,
    auth,
    audit,
    queue,
    devices,
    catalog,
    pipeline,
    training,
    transfer,
    lab,
    labState,
    info() {
      return {
        name: 'Quire',
        version: QUIRE_VERSION,
        dataDir: layout.root,
        startedAt: new Date(startedAt).toISOString(),
        uptimeSeconds: Math.max(0, (clock.now() - startedAt) / 1000),
        platform: `${process.platform}-${process.arch}`,
        runtime: { node: process.versions.node, electron: options.electronVersion ?? null },
      };
    },
    async health() {
      const disk = await checkDiskSpace(layout, queue);
      const checks = [
        await checkDatabase(db),
        await checkDataDirWritable(layout),
        disk.check,
        ...(integrity
          ? [
              {
                name: 'consistency at start',
                ok: integrity.ok,
                detail: integrity.ok
                  ? `${integrity.pages} page(s) in ${integrity.batches} batch(es) accounted for`
                  : `${integrity.findings.length} finding(s); run quire verify: ${integrity.findings[0]!.message}`,
              },
            ]
          : []),
      ];
      return {
        ok: checks.every((c) => c.ok),
        checkedAt: new Date(clock.now()).toISOString(),
        checks,
        disk: disk.space,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (settleTimer) clearInterval(settleTimer);
      if (retentionTimer) clearInterval(retentionTimer);
      // Reverse order of construction: devices stop capturing before the queue and log close.
      await pipeline.close();
      await training.close();
      await catalog.close();
      await devices.close();
      await queue.close();
      await audit.close();
      await auth.close();
      settings.close();
      await labRecords?.close();
      db.close();
      logger.flush?.();
      lock?.release();
    },
  };
  // Before any work starts: every page accounted for, or the log says what is not. Only the
  // station that owns the folder checks it; a CLI command reading beside it does not.
  const integrity = lock ? await pipeline.verify() : null;
  if (integrity && !integrity.ok)
    logger.error({ findings: integrity.findings.slice(0, 50) }, 'the consistency check found problems');
  await labRecords?.start({
    station: lab?.station ?? settings.get().stationName,
    changes: localBatchChanges(db),
    audit,
    events,
    holds: (batchId) => pipeline.store.summary(batchId) !== null,
  });
  if (options.runWorkers) {
    // A decision a crash cut short after its commit gets its jobs before any worker runs.
    const resumed = await pipeline.resumeInterruptedDecisions();
    if (resumed) logger.warn({ resumed }, 'resumed decisions interrupted by a stop');
    const unstarted = await pipeline.startUnstartedBatches();
    if (unstarted.length) logger.warn({ batches: unstarted }, 'started batches a stop left without a job');
    await queue.start();
    // A batch whose quarantine could not be written when its job gave up (a full disk) is
    // settled now and, while the station runs, every few seconds: it never waits forever.
    const settle = () =>
      pipeline
        .settleOrphans()
        .catch((error: Error) => logger.warn({ err: error.message }, 'could not settle orphaned batches'));
    await settle();
    settleTimer = setInterval(() => void settle(), 10_000);
    settleTimer.unref();
    // Copies kept "N days after verified transfer" fall due while the station runs.
    const prune = () =>
      transfer.retention
        .sweep()
        .catch((error: Error) => logger.warn({ err: error.message }, 'the retention sweep failed'));
    await prune();
    retentionTimer = setInterval(() => void prune(), 3600_000);
    retentionTimer.unref();
  }
  logger.info({ dataDir: layout.root, version: QUIRE_VERSION }, 'station started');
  return station;
}

const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/**
 * Free space of the data folder's disk, and the jobs waiting for space: a full disk shows as
 * full even when it is a quota or a test's write fault that statfs cannot see.
 */
async function checkDiskSpace(layout: DataDir, queue: QueueModule) {
  const waiting = (await queue.list({ state: 'retrying', limit: 1000 })).items.filter((job) =>
    job.lastError?.startsWith('disk full:'),
  ).length;
  try {
    const space = await diskSpace(layout.root);
    const diskFull = space.full || waiting > 0;
    const free = `${gigabytes(space.freeBytes)} free of ${gigabytes(space.totalBytes)}`;
    const detail = diskFull
      ? `disk full: ${free}${waiting ? `; ${waiting} job(s) wait for space and resume when it returns` : ''}`
      : `${space.low ? 'low disk space: ' : ''}${free}`;
    return {
      check: { name: 'disk space', ok: !diskFull, detail },
      space: {
        path: space.path,
        freeBytes: space.freeBytes,
        totalBytes: space.totalBytes,
        lowSpace: space.low || diskFull,
        diskFull,
        jobsWaitingForSpace: waiting,
      },
    };
  } catch (error) {
    return {
      check: { name: 'disk space', ok: waiting === 0, detail: (error as Error).message },
      space: null,
    };
  }
}
