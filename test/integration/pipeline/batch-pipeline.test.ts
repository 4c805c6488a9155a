import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyBag } from '../../../electron/pipeline/packaging/bag-verify';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { requireXmllint, validateXml } from '../../helpers/xmllint';
import { sqliteStore } from '../../helpers/queue-harness';

describe('the batch pipeline on a real station', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: Awaited<ReturnType<typeof contractCallers>>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true, simulatorSheets: 20 }));
    call = await contractCallers(station);
  });
  afterEach(async () => dispose());

  /** Resolves when the batch reaches a final stage (or `stage`), from its events. */
  const until = (batchId: string, stage?: string) => untilBatch(station, batchId, stage);

  it('runs a valid batch to a package that verifies, with METS, MODS and PREMIS valid against the official schemas', async ({
    skip,
  }) => {
    const created = await call.operator('batches.create', { manifest: exampleManifest() });
    expect(created).toMatchObject({ ok: true, output: { batch: { id: 'MS-1887-042' } } });
    const done = await until('MS-1887-042');
    expect(done).toMatchObject({ stage: 'completed', pagesDone: 4 });
    const detail = station.pipeline.store.detail('MS-1887-042')!;
    expect(await verifyBag(detail.packagePath!)).toMatchObject({ valid: true });
    const eventTypes = station.audit.forObject('MS-1887-042').map((e) => e.type);
    expect(eventTypes).toEqual(
      expect.arrayContaining([
        'validation',
        'capture',
        'message digest calculation',
        'information package creation',
      ]),
    );
    expect(station.audit.verify().ok).toBe(true);
    // Capture ran in a chord beside technical-metadata preparation, whose output is packaged.
    const types = sqliteStore(station)
      .list({ batchId: 'MS-1887-042', limit: 20 })
      .items.map((j) => j.type)
      .sort();
    expect(types).toEqual([
      'batch.capture',
      'batch.continue',
      'batch.derivatives',
      'batch.package',
      'batch.qc',
      'batch.techmd',
    ]);
    const technical = JSON.parse(
      readFileSync(path.join(detail.packagePath!, 'data/metadata/technical.json'), 'utf8'),
    );
    expect(technical).toMatchObject({
      device: { name: 'sim-1', identity: { serial: 'SIM-1' } },
      profile: { dpi: 300 },
    });
    const iiif = JSON.parse(
      readFileSync(path.join(detail.packagePath!, 'data/metadata/iiif-manifest.json'), 'utf8'),
    );
    expect(iiif.items).toHaveLength(4);
    requireXmllint(skip);
    const mets = readFileSync(path.join(detail.packagePath!, 'data/mets.xml'), 'utf8');
    expect(validateXml(mets, 'driver/mets-profile-driver.xsd')).toMatchObject({ valid: true });
  });

  it('writes Dublin Core when the manifest asks for it, and exposes nothing in IIIF for an embargoed item', async ({
    skip,
  }) => {
    const manifest = exampleManifest({
      batch_id: 'DC-1',
      expected_pages: 2,
      file_count: 2,
      metadata_schema: 'DublinCore',
      descriptive: { ...(exampleManifest().descriptive as object), embargo_date: '2999-01-01' },
    });
    await call.operator('batches.create', { manifest });
    const done = await until('DC-1');
    expect(done.stage).toBe('completed');
    const pkg = station.pipeline.store.detail('DC-1')!.packagePath!;
    const mets = readFileSync(path.join(pkg, 'data/mets.xml'), 'utf8');
    expect(mets).toContain('MDTYPE="DC"');
    // A Presentation 3.0 manifest needs a canvas, so an embargoed batch gets no manifest at all.
    expect(existsSync(path.join(pkg, 'data/metadata/iiif-manifest.json'))).toBe(false);
    requireXmllint(skip);
    expect(validateXml(mets, 'driver/mets-profile-driver.xsd')).toMatchObject({ valid: true });
  });

  it('a checksum fault quarantines the batch; an operator may not release it; a supervisor releases it with a reason', async () => {
    station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'CK-1' }) });
    const quarantined = await until('CK-1');
    expect(quarantined.stage).toBe('quarantined');
    const detail = (await call.operator('batches.get', { batchId: 'CK-1' })) as {
      ok: true;
      output: { quarantine: { reason: string; checksumMismatches: { page: number }[] } };
    };
    expect(detail.output.quarantine).toMatchObject({
      reason: 'Checksum mismatch',
      checksumMismatches: [{ page: 2 }],
    });

    // Nor may an operator get round the review by retrying the batch's quarantined job.
    const job =
      sqliteStore(station).list({ batchId: 'CK-1', state: 'quarantined' }).items[0] ??
      (await new Promise<{ id: string; queue: string }>((resolve) => {
        const unsubscribe = station.events.subscribe((e) => {
          if (e.name === 'job.updated' && e.payload.batchId === 'CK-1' && e.payload.state === 'quarantined') {
            unsubscribe();
            resolve(e.payload);
          }
        });
      }));
    expect(await call.operator('queue.retry', { id: job.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await call.operator('queue.retryAllFailed', { queue: job.queue })).toMatchObject({
      ok: true,
      output: [],
    });

    const refused = await call.operator('quarantine.decide', {
      batchId: 'CK-1',
      decision: 'release',
      reason: 'Checksum mismatch',
      note: '',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const noReason = await call.supervisor('quarantine.decide', {
      batchId: 'CK-1',
      decision: 'release',
      reason: 'because',
      note: '',
    });
    expect(noReason).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: 'reason' }] },
    });

    station.devices.injectFault('sim-1', { kind: 'clear' });
    const requeued = await call.supervisor('quarantine.decide', {
      batchId: 'CK-1',
      decision: 'requeue',
      pages: [2],
      reason: 'Checksum mismatch',
      note: 'recapture page 2',
    });
    expect(requeued.ok).toBe(true);
    const done = await until('CK-1', 'completed');
    expect(done.pagesDone).toBe(4);
    const events = station.audit.forObject('CK-1');
    expect(events.find((e) => e.type === 'unquarantine')).toMatchObject({
      agents: { person: 'sofia' },
      outcome: 'requeued pages 2',
    });
    expect(station.pipeline.store.detail('CK-1')!.decisions).toMatchObject([
      { decision: 'requeue', by: 'sofia', pages: [2] },
    ]);
  });

  it('bytes that are no whole image never take a final name: the batch is quarantined as malformed, the good pages kept', async () => {
    station.devices.injectFault('sim-1', { kind: 'notTiffAtPage', page: 2 });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'NT-1' }) });
    const quarantined = await until('NT-1');
    expect(quarantined.stage).toBe('quarantined');
    const quarantine = station.pipeline.store.detail('NT-1')!.quarantine!;
    expect(quarantine.reason).toBe('Malformed image');
    expect(quarantine.qcFindings.filter((f) => f.severity === 'error')).toMatchObject([
      { page: 2, code: 'MALFORMED_IMAGE' },
    ]);
    // The pages around it are kept, hashes intact; page 2's slot stays vacant for a recapture.
    const pages = station.pipeline.store.pages('NT-1');
    expect(pages.map((p) => p.page)).toEqual([1, 3, 4]);
    for (const page of pages)
      expect(createHash('sha256').update(readFileSync(page.masterPath)).digest('hex')).toBe(page.sha256);
    expect(readdirSync(path.dirname(pages[0]!.masterPath)).filter((f) => f.startsWith('page-0002'))).toEqual(
      [],
    );
    expect(
      station.audit.forObject('NT-1').find((e) => e.type === 'validation' && e.outcome === 'failure'),
    ).toBeDefined();
  });

  it('a whole TIFF whose pixels do not decode is kept as sent and quarantined by QC as malformed', async () => {
    station.devices.injectFault('sim-1', { kind: 'undecodableAtPage', page: 2 });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'UD-1' }) });
    await until('UD-1');
    const quarantine = station.pipeline.store.detail('UD-1')!.quarantine!;
    expect(quarantine.reason).toBe('Malformed image');
    expect(quarantine.qcFindings.filter((f) => f.severity === 'error')).toMatchObject([
      { page: 2, code: 'DECODE_FAILED' },
    ]);
    expect(station.pipeline.store.pages('UD-1').map((p) => p.page)).toEqual([1, 2, 3, 4]);
  });

  it('a supervisor rejects a quarantined batch: nothing is deleted, and the rejection is audited', async () => {
    station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 1 });
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'RJ-1' }) });
    await until('RJ-1');
    const rejected = await call.supervisor('quarantine.decide', {
      batchId: 'RJ-1',
      decision: 'reject',
      reason: 'Damaged original',
      note: 'torn leaf',
    });
    expect(rejected).toMatchObject({ ok: true, output: { stage: 'rejected' } });
    expect(station.pipeline.store.pages('RJ-1').length).toBe(3);
    expect(station.audit.forObject('RJ-1').at(-1)).toMatchObject({
      type: 'appraisal',
      outcome: 'rejected',
      agents: { person: 'sofia' },
    });
  });

  it('quarantines a manifest with a wrong checksum, listing the problem by path', async () => {
    const manifest = exampleManifest(
      { batch_id: 'BAD-SUM', checksums: { manifest_sha256: 'a'.repeat(64) } },
      { recompute: false },
    );
    await call.operator('batches.create', { manifest });
    const detail = station.pipeline.store.detail('BAD-SUM')!;
    expect(detail.stage).toBe('quarantined');
    expect(detail.quarantine?.validationIssues.map((i) => i.path)).toEqual(['checksums.manifest_sha256']);
    const release = await call.supervisor('quarantine.decide', {
      batchId: 'BAD-SUM',
      decision: 'release',
      reason: 'Wrong scan profile',
      note: '',
    });
    expect(release).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses a manifest whose batch id could escape the data folder; nothing is stored', async () => {
    const result = await call.operator('batches.create', { manifest: exampleManifest({ batch_id: '../x' }) });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        issues: expect.arrayContaining([expect.objectContaining({ path: 'batch_id' })]),
      },
    });
    expect(station.pipeline.store.list({ offset: 0, limit: 10 }).total).toBe(0);
  });

  it('reports every problem of a bad manifest at once: missing, extra and wrongly typed fields, absurd page counts', async () => {
    const manifest = exampleManifest({
      device: undefined,
      colour: 'red',
      expected_pages: 1_000_000,
      operator: 7,
    });
    const result = await call.operator('batches.validate', { manifest });
    expect(result.ok).toBe(true);
    const paths = (result as { output: { issues: { path: string }[] } }).output.issues
      .map((i) => i.path)
      .sort();
    expect(paths).toEqual(expect.arrayContaining(['(root)', 'device', 'expected_pages', 'operator']));
  });

  it('never overwrites an existing batch', async () => {
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'DUP' }) });
    const again = await call.operator('batches.create', {
      manifest: exampleManifest({
        batch_id: 'DUP',
        descriptive: { ...(exampleManifest().descriptive as object), title: 'Other' },
      }),
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(station.pipeline.store.summary('DUP')?.title).toBe('Letter book of the Harbour Commission, 1887');
    await until('DUP');
  });
  it('quire verify finds a file its package lists gone, without --deep', async () => {
    await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'VF-1' }) });
    expect(await until('VF-1')).toMatchObject({ stage: 'completed' });
    expect(await station.pipeline.verify()).toMatchObject({ ok: true, findings: [] });
    rmSync(path.join(station.layout.batchPackage('VF-1'), 'data', 'access', 'page-0002.jpg'));
    const report = await station.pipeline.verify();
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'PACKAGE_INCOMPLETE',
        batch: 'VF-1',
        message: expect.stringMatching(
          /data\/access\/page-0002\.jpg is listed in manifest-sha256\.txt but is missing/,
        ),
      }),
    ]);
  });
});
