import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BatchStage, QcFinding, QuarantineDiagnostics, StoredAsset } from '../../shared/contract/index';
import type { BatchManifest } from '../../shared/domain/manifest';
import type { AuditModule } from '../audit/module';
import type { CoreContext } from '../core/core-context';
import { FatalError, JobCancelledError, WaitingForServiceError } from '../queue/errors';
import { CatalogUnreachableError } from '../records/catalog-records';
import type { DevicesModule } from '../scanner/module';
import { writeFileAtomic } from '../storage/index';
import { QUIRE_VERSION } from '../version';
import type { BatchStore } from './batches/batch-store';
import { stageAttemptFailed, stageAttemptSucceeded } from './disk-full';
import { verifyBag } from './packaging/bag-verify';
import { setAsideRejectedPackage } from './packaging/bag-writer';
import { writePackage } from './packaging/package';
import { descriptiveFromCatalog } from './catalog-descriptive';
import { lidoObjectsForBatch } from './lido-objects';
import type { ImageWorkPool } from './image-work';
import type { PageWork } from './page-work';
import { ocrPackageInfo, ocrPageFiles } from './ocr-files';
import { batchConsistency, type MasterMetadata } from './qc';
import { verifyStation } from './station-verify';

export interface StageDeps {
  core: CoreContext;
  store: BatchStore;
  audit: AuditModule;
  devices: DevicesModule;
  organizationName: () => string;
  /** The catalog's record for an accession number, if synced (the station's or the lab's). */
  catalogRecord: (accession: string) => Promise<StoredAsset | null>;
  /** Records a batch's change for the consoles. */
  touched: (batchId: string) => void;
  /** Pages decoded at once across the station, and sharp's threads per page. */
  images: ImageWorkPool;
  /** The image stages' per-page work: here, or spread over the lab. */
  pages: PageWork;
}

const pad = (n: number) => String(n).padStart(4, '0');

/** Puts a batch in quarantine with its diagnostics and records the PREMIS event. */
export function quarantineBatch(
  deps: StageDeps,
  batchId: string,
  stage: BatchStage,
  reason: string,
  extra: Partial<QuarantineDiagnostics> = {},
): void {
  deps.store.quarantine(batchId, {
    reason,
    stage,
    validationIssues: [],
    qcFindings: [],
    checksumMismatches: [],
    protocolErrors: [],
    attempts: deps.store.attempts(batchId),
    ...extra,
  });
  deps.audit.record({
    type: 'quarantine',
    outcome: 'quarantined',
    detail: `${stage}: ${reason}`,
    object: batchId,
    person: 'system',
  });
  deps.core.events.emit('quarantine.changed', { batchId, quarantined: true, reason });
  deps.touched(batchId);
}

const FINISHED: ReadonlySet<BatchStage> = new Set(['completed', 'rejected', 'cancelled']);

/**
 * A person may cancel or reject a batch while one of its steps waits on its page jobs (minutes,
 * in a lab). What that step found then no longer applies: it records nothing, and the batch
 * stays as they left it instead of coming back as quarantined or completed. Nor does a run whose
 * job was taken from it (its lock lost in a lab: another run has it). Called after the step's
 * last wait, so that the check and the records that follow it run without a break.
 */
export function ensureStillRunning(
  deps: StageDeps,
  batchId: string,
  stage: BatchStage,
  /** The stage job's signal: aborted when its run lost the job (its lock, in a lab) to another. */
  signal?: AbortSignal,
): void {
  signal?.throwIfAborted();
  const current = deps.store.summary(batchId)?.stage;
  if (current === 'cancelled' || current === 'rejected')
    throw new JobCancelledError(
      `batch ${batchId} was ${current} while its ${stage} step ran: what the step found is not recorded`,
    );
}

export async function withAttempt(
  deps: StageDeps,
  batchId: string,
  stage: BatchStage,
  worker: string,
  work: () => Promise<void>,
): Promise<void> {
  const current = deps.store.summary(batchId)?.stage;
  if (!current) throw new FatalError(`batch ${batchId} is not known`);
  // A completed batch's step ran before (a redelivery after a crash): its work is done. A step
  // of a batch cancelled or rejected meanwhile does nothing, and says so: its job ends cancelled.
  if (current === 'completed') return;
  if (FINISHED.has(current))
    throw new JobCancelledError(`batch ${batchId} is ${current}: its ${stage} step does not run`);
  deps.store.setStage(batchId, stage);
  deps.touched(batchId);
  const attempt = deps.store.startAttempt(batchId, stage, worker);
  try {
    await work();
    deps.store.finishAttempt(attempt, 'success', null);
    stageAttemptSucceeded(deps, batchId, stage);
  } catch (error) {
    throw stageAttemptFailed(deps, batchId, stage, attempt, error);
  }
}

export function manifestOf(deps: StageDeps, batchId: string): BatchManifest {
  const manifest = deps.store.manifest(batchId) as BatchManifest | null;
  if (!manifest) throw new FatalError(`batch ${batchId} is not known`);
  return manifest;
}

/**
 * Technical metadata, prepared while the scanner captures: the device's identity as the device
 * itself reported it (make, model, serial, firmware) and the driver that spoke to it, the scan
 * profile and the software, for the package (data/metadata/technical.json). The device is
 * usually reached before capture starts; until it has answered, its identity is null.
 */
export async function technicalMetadataStage(deps: StageDeps, input: { batchId: string }): Promise<void> {
  const manifest = manifestOf(deps, input.batchId);
  const device = deps.devices.list().find((d) => d.name === manifest.device);
  const technical = {
    batch: input.batchId,
    device: {
      name: manifest.device,
      driver: device?.driver ?? null,
      address: device?.address ?? null,
      host: device?.host ?? null,
      identity: device?.identity ?? null,
    },
    profile: manifest.scanner_profile,
    software: `Quire ${QUIRE_VERSION}`,
    preparedAt: new Date(deps.core.clock.now()).toISOString(),
  };
  const file = path.join(deps.core.layout.batchStaging(input.batchId), 'metadata', 'technical.json');
  await writeFileAtomic(file, JSON.stringify(technical, null, 2) + '\n', { noOverwrite: false });
}

/** What a stage job hands its stage: its own id (the run's identity) and its abort signal. */
export interface StageJob {
  jobId: string;
  signal?: AbortSignal;
}

/** Image QC on every master; any error quarantines the batch with the findings. */
export async function qcStage(deps: StageDeps, input: { batchId: string }, job: StageJob): Promise<void> {
  const { batchId } = input;
  await withAttempt(deps, batchId, 'qc', 'compute', async () => {
    const manifest = manifestOf(deps, batchId);
    const profile = {
      dpi: manifest.scanner_profile.dpi,
      mode: manifest.scanner_profile.mode,
      bitDepth: manifest.scanner_profile.bit_depth,
      allowLossy: manifest.scanner_profile.allow_lossy ?? false,
    };
    const findings: QcFinding[] = [];
    const metas: { page: number; meta: MasterMetadata }[] = [];
    const pages = deps.store.pages(batchId);
    if (pages.length === 0)
      findings.push({ page: null, code: 'NO_PAGES', severity: 'error', message: 'the batch has no pages' });
    // QC's full decode also makes the access copy: each master is decoded once.
    const accessOf = (page: number) =>
      path.join(deps.core.layout.batchStaging(batchId), 'derivatives', 'access', `page-${pad(page)}.jpg`);
    const inspections = await deps.pages.inspect(
      { batchId, stage: 'qc', runId: job.jobId, signal: job.signal },
      profile,
      pages.map((page) => ({ page: page.page, master: page.masterPath, access: accessOf(page.page) })),
    );
    ensureStillRunning(deps, batchId, 'qc', job.signal);
    for (const { page, meta, findings: pageFindings, accessWritten } of inspections) {
      if (accessWritten) deps.store.updatePage(batchId, page, { accessPath: accessOf(page) });
      if (meta)
        deps.store.updatePage(batchId, page, { width: meta.width, height: meta.height, metadata: meta });
      findings.push(...pageFindings);
      if (meta) metas.push({ page, meta });
    }
    findings.push(...batchConsistency(metas));
    const errors = findings.filter((f) => f.severity === 'error');
    deps.audit.record({
      type: 'validation',
      outcome: errors.length ? 'failure' : 'success',
      detail: errors.length
        ? `${errors.length} QC error(s): ${errors.map((f) => f.code).join(', ')}`
        : `${pages.length} master(s) passed image QC`,
      object: batchId,
      person: 'system',
    });
    if (errors.length) {
      quarantineBatch(
        deps,
        batchId,
        'qc',
        errors.some((e) => e.code === 'DECODE_FAILED') ? 'Malformed image' : 'Image QC failed',
        { qcFindings: findings },
      );
      throw new FatalError(`image QC failed: ${errors[0]!.message}`);
    }
  });
}

/** Access JPEG, thumbnail and XMP sidecar per master; pages already done are skipped on a retry. */
export async function derivativesStage(
  deps: StageDeps,
  input: { batchId: string },
  job: StageJob,
): Promise<void> {
  const { batchId } = input;
  await withAttempt(deps, batchId, 'derivatives', 'compute', async () => {
    const manifest = manifestOf(deps, batchId);
    const staging = deps.core.layout.batchStaging(batchId);
    const identity = deps.devices.list().find((d) => d.name === manifest.device)?.identity;
    const pending = deps.store
      .pages(batchId)
      .filter((page) => !(page.accessPath && page.thumbnailPath && page.sidecarPath))
      .map((page) => {
        const name = `page-${pad(page.page)}`;
        return {
          page: page.page,
          master: page.masterPath,
          access: path.join(staging, 'derivatives', 'access', `${name}.jpg`),
          thumbnail: path.join(staging, 'derivatives', 'thumbnails', `${name}.jpg`),
          sidecar: path.join(staging, 'metadata', `${name}.xmp`),
          accessExists: Boolean(page.accessPath && existsSync(page.accessPath)),
          capture: {
            batchId,
            page: page.page,
            device: manifest.device,
            serial: identity?.serial ?? 'unknown',
            firmware: identity?.firmware ?? 'unknown',
            dpi: manifest.scanner_profile.dpi,
            mode: manifest.scanner_profile.mode,
            bitDepth: manifest.scanner_profile.bit_depth,
            capturedAt: page.capturedAt,
            operator: manifest.operator,
            sha256: page.sha256,
          },
        };
      });
    const byPage = new Map(pending.map((p) => [p.page, p]));
    await deps.pages.derive(
      { batchId, stage: 'derivatives', runId: job.jobId, signal: job.signal },
      pending,
      (page) => {
        const done = byPage.get(page)!;
        deps.store.updatePage(batchId, page, {
          accessPath: done.access,
          thumbnailPath: done.thumbnail,
          sidecarPath: done.sidecar,
        });
        deps.touched(batchId);
      },
    );
  });
}

/**
 * The catalog records a batch names, read before the package is described: the descriptive and
 * LIDO builders stay pure functions over a lookup, whichever engine keeps the catalog.
 */
async function catalogRecordsOf(
  deps: StageDeps,
  accessions: readonly string[],
): Promise<(accession: string) => StoredAsset | null> {
  const unique = [...new Set(accessions)];
  let records: (StoredAsset | null)[];
  try {
    records = await Promise.all(unique.map((accession) => deps.catalogRecord(accession)));
  } catch (error) {
    // The catalog's store is away (the lab database): the package waits for its description
    // rather than being built without it or quarantined for an outage.
    if (error instanceof CatalogUnreachableError)
      throw new WaitingForServiceError(`waiting for the catalog: ${error.message}`, { cause: error });
    throw error;
  }
  const byAccession = new Map(unique.map((accession, i) => [accession, records[i] ?? null]));
  return (accession) => byAccession.get(accession) ?? null;
}

/** Whether the batch is still to be packaged: neither ended nor packaged already. */
function awaitsPackage(deps: StageDeps, batchId: string, target: string): boolean {
  const stage = deps.store.summary(batchId)?.stage;
  return stage !== undefined && !FINISHED.has(stage) && !existsSync(target);
}

/** METS + PREMIS + MODS/DC, IIIF, and the BagIt bag under packages/<batch>/. */
export async function packageStage(deps: StageDeps, input: { batchId: string }): Promise<void> {
  const { batchId } = input;
  const target = deps.core.layout.batchPackage(batchId);
  // The catalog is read before the attempt begins: while its store does not answer, the job
  // waits (WaitingForServiceError) and neither the batch nor the job counts a failed attempt.
  let catalogRead: Awaited<ReturnType<typeof catalogRecordsOf>> | null = null;
  if (awaitsPackage(deps, batchId, target))
    try {
      catalogRead = await catalogRecordsOf(deps, manifestOf(deps, batchId).descriptive.accession_numbers);
    } catch (error) {
      // The console shows the batch at packaging, saying what it waits for.
      if (error instanceof WaitingForServiceError && awaitsPackage(deps, batchId, target)) {
        deps.store.setStage(batchId, 'packaging', { lastError: error.message });
        deps.touched(batchId);
      }
      throw error;
    }
  await withAttempt(deps, batchId, 'packaging', 'io', async () => {
    const manifest = manifestOf(deps, batchId);
    if (existsSync(target)) {
      // A crash after the rename: the bag is there; accept it only if it verifies.
      const verdict = await verifyBag(target);
      if (!verdict.valid)
        throw new FatalError(
          `a package for ${batchId} already exists and does not verify: ${verdict.errors[0]}`,
        );
    } else {
      const catalogRecord =
        catalogRead ?? (await catalogRecordsOf(deps, manifest.descriptive.accession_numbers));
      const { descriptive } = descriptiveFromCatalog(manifest, catalogRecord);
      const identity = deps.devices.list().find((x) => x.name === manifest.device)?.identity;
      const technical = path.join(deps.core.layout.batchStaging(batchId), 'metadata', 'technical.json');
      await writePackage(
        {
          batchId,
          metadataSchema: manifest.metadata_schema,
          descriptive,
          ...(manifest.metadata_schema === 'LIDO'
            ? { lido: lidoObjectsForBatch(manifest, catalogRecord, deps.organizationName()) }
            : {}),
          pages: deps.store.pages(batchId).map((p) => ({
            page: p.page,
            masterPath: p.masterPath,
            sha256: p.sha256,
            bytes: p.bytes,
            width: p.width ?? 0,
            height: p.height ?? 0,
            dpi: manifest.scanner_profile.dpi,
            mode: manifest.scanner_profile.mode,
            bitDepth: manifest.scanner_profile.bit_depth,
            capturedAt: p.capturedAt,
            accessPath: p.accessPath,
            thumbnailPath: p.thumbnailPath,
            sidecarPath: p.sidecarPath,
            ...ocrPageFiles(deps.core.layout.batchStaging(batchId), p.page),
          })),
          capture: {
            device: manifest.device,
            serial: identity?.serial,
            firmware: identity?.firmware,
            operator: manifest.operator,
            organization: deps.organizationName(),
            colourProfile: manifest.scanner_profile.colour_profile,
          },
          events: deps.audit.forObject(batchId),
          extraFiles: existsSync(technical) ? [{ source: technical, href: 'metadata/technical.json' }] : [],
          ...(await ocrPackageInfo(deps.core.layout.batchStaging(batchId))),
        },
        { packagesDir: deps.core.layout.packages, now: () => deps.core.clock.now() },
      );
    }
    // A package is never reported complete while a page is missing, misnumbered or unaccounted for.
    const check = await verifyStation(
      { layout: deps.core.layout, store: deps.store, audit: deps.audit },
      { batchId, asCompleted: true },
    );
    ensureStillRunning(deps, batchId, 'packaging');
    if (!check.ok) {
      const setAside = existsSync(target)
        ? await setAsideRejectedPackage(deps.core.layout.packages, batchId, deps.core.clock.now())
        : null;
      ensureStillRunning(deps, batchId, 'packaging');
      const where = setAside
        ? `; the package was set aside at ${path.relative(deps.core.layout.root, setAside)}, and a release packages the batch again`
        : '';
      quarantineBatch(deps, batchId, 'packaging', `Package failed the consistency check${where}`, {
        qcFindings: check.findings.map((f) => ({
          page: f.page && f.page > 0 ? f.page : null,
          code: f.code,
          severity: 'error' as const,
          message: f.message,
        })),
      });
      throw new FatalError(`the package failed the consistency check: ${check.findings[0]!.message}`);
    }
    deps.audit.record({
      type: 'information package creation',
      outcome: 'success',
      detail: `BagIt 1.0 package at ${target}`,
      object: batchId,
      person: 'system',
    });
    deps.store.setStage(batchId, 'completed', { packagePath: target, lastError: null });
    deps.touched(batchId);
  });
}
