import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectBag } from '../../../electron/pipeline/packaging/bag-verify';
import { writePackage } from '../../../electron/pipeline/packaging/package';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { embeddedLidoDocuments, validateLido } from '../../helpers/lido';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { requireXmllint, validateXml } from '../../helpers/xmllint';
import { stageBatch } from '../packaging/fixtures/staged-batch';
import { catalogRecord } from '../../helpers/catalog-record';

const object = (accession: string, title: string) => ({
  recordId: `Harbour Museum:${accession}`,
  source: 'Harbour Museum',
  workType: 'ledger',
  title,
  inscriptions: ['Harbour Company, 1887'],
  creator: 'Harbour Company',
  date: '1887',
  repository: 'Harbour Museum',
  accessionNumber: accession,
  rightsStatement: 'http://rightsstatements.org/vocab/NoC-US/1.0/',
  creditLine: 'Deposited by the Harbour Company',
  resources: [],
});

/** The METS and every LIDO document of a package, each against its official schema. */
function expectValid(bag: string, skip: (note?: string) => never) {
  requireXmllint(skip);
  const mets = readFileSync(path.join(bag, 'data', 'mets.xml'), 'utf8');
  const metsVerdict = validateXml(mets, 'driver/mets-profile-driver.xsd');
  expect(metsVerdict.valid, metsVerdict.output).toBe(true);
  const embedded = embeddedLidoDocuments(mets);
  expect(embedded.length).toBeGreaterThan(0);
  for (const doc of embedded) {
    const verdict = validateLido(doc);
    expect(verdict.valid, verdict.output).toBe(true);
  }
  const standalone = validateLido(readFileSync(path.join(bag, 'data', 'metadata', 'lido.xml'), 'utf8'));
  expect(standalone.valid, standalone.output).toBe(true);
}

describe('a LIDO package', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  afterEach(async () => dispose());

  describe('written from staged pages', () => {
    beforeEach(async () => {
      ({ station, dispose } = await makeTestStation());
    });

    it('has one LIDO record per object in METS, linking the access copies with their rights', async ({
      skip,
    }) => {
      const input = await stageBatch(station.layout.root, 'LIDO-1', { pages: 2, schema: 'LIDO' });
      input.lido = [object('1999.12.3', 'Harbour ledger, 1887'), object('1999.12.4', 'Ledger, vol. 2')];
      const written = await writePackage(input, { packagesDir: station.layout.packages });
      expect(await inspectBag(written.path)).toMatchObject({ valid: true, errors: [] });
      expect(written.metadata).toContain('metadata/lido.xml');
      const manifest = readFileSync(path.join(written.path, 'manifest-sha256.txt'), 'utf8');
      expect(manifest).toContain(' data/metadata/lido.xml\n');
      const mets = readFileSync(path.join(written.path, 'data', 'mets.xml'), 'utf8');
      expect(mets.match(/MDTYPE="LIDO"/g)).toHaveLength(2);
      expect(mets).toContain('DMDID="DMD1 DMD2"');
      expect(mets).not.toContain('mods:mods');
      // Links are relative to the document: mets.xml sits at the top of data/, lido.xml in metadata/.
      expect(mets.match(/>access\/page-0001\.jpg<\/lido:linkResource>/g)).toHaveLength(2);
      const lido = readFileSync(path.join(written.path, 'data', 'metadata', 'lido.xml'), 'utf8');
      expect(lido).toContain('>../access/page-0002.jpg</lido:linkResource>');
      expect(lido).toContain('<lido:rightsResource>');
      expectValid(written.path, skip);
    });

    it('links no images of a restricted batch', async ({ skip }) => {
      const input = await stageBatch(station.layout.root, 'LIDO-R', {
        schema: 'LIDO',
        accessTier: 'restricted',
      });
      input.lido = [object('1999.12.3', 'Harbour ledger, 1887')];
      const written = await writePackage(input, { packagesDir: station.layout.packages });
      const mets = readFileSync(path.join(written.path, 'data', 'mets.xml'), 'utf8');
      expect(mets).not.toContain('resourceWrap');
      expect(readFileSync(path.join(written.path, 'data', 'metadata', 'lido.xml'), 'utf8')).not.toContain(
        'linkResource',
      );
      expect(written.iiif).toBe(false);
      expectValid(written.path, skip);
    });
  });

  describe('from a batch on a real station', () => {
    beforeEach(async () => {
      ({ station, dispose } = await makeTestStation({
        simulators: 1,
        runWorkers: true,
        simulatorSheets: 20,
      }));
    });

    it('runs a LIDO batch to a package whose METS and LIDO validate, with the catalog record as authority', async ({
      skip,
    }) => {
      await station.catalog.records.upsert([
        catalogRecord('1994.17.42', { title: 'Письма портовой комиссии, 1887' }),
      ]);
      const call = await contractCallers(station);
      const manifest = exampleManifest({
        batch_id: 'LIDO-B1',
        expected_pages: 2,
        file_count: 2,
        metadata_schema: 'LIDO',
        descriptive: {
          ...(exampleManifest().descriptive as object),
          object_work_type: 'letter book',
          inscriptions: ['Eingang 3. März 1887'],
          credit_line: 'Deposited by the Harbour Commission',
        },
      });
      expect(await call.operator('batches.create', { manifest })).toMatchObject({ ok: true });
      expect(await untilBatch(station, 'LIDO-B1')).toMatchObject({ stage: 'completed' });
      const pkg = station.pipeline.store.detail('LIDO-B1')!.packagePath!;
      const mets = readFileSync(path.join(pkg, 'data', 'mets.xml'), 'utf8');
      expect(mets).toContain('<lido:appellationValue>Письма портовой комиссии, 1887<');
      expect(mets).toContain('<lido:term>letter book</lido:term>');
      expect(mets).toContain('<lido:inscriptionTranscription>Eingang 3. März 1887<');
      expect(mets).toContain('<lido:creditLine>Deposited by the Harbour Commission<');
      expect(mets).toContain('<lido:workID lido:type="inventory number">1994.17.42<');
      expect(mets.match(/<lido:linkResource /g)).toHaveLength(2);
      expectValid(pkg, skip);
    });
  });
});
