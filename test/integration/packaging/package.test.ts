import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectBag } from '../../../electron/pipeline/packaging/bag-verify';
import { writePackage } from '../../../electron/pipeline/packaging/package';
import type { Station } from '../../../electron/station';
import { FileExistsError } from '../../../electron/storage/index';
import { makeTestStation } from '../../helpers/station';
import { requireXmllint, validateXml } from '../../helpers/xmllint';
import { stageBatch } from './fixtures/staged-batch';

describe('preservation package on completion', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
  });
  afterEach(async () => dispose());

  const eventsFor = (batchId: string) => {
    station.audit.record({
      type: 'capture',
      outcome: 'success',
      detail: 'on sim-1',
      object: `${batchId}/masters/page-0001.tif`,
      person: 'omar',
    });
    station.audit.record({
      type: 'validation',
      outcome: 'success',
      detail: 'QC passed',
      object: batchId,
      person: 'system',
    });
    return station.audit.forObject(batchId);
  };

  it('writes a valid BagIt 1.0 bag with masters, derivatives, sidecars, METS, PREMIS, MODS and IIIF', async ({
    skip,
  }) => {
    const input = await stageBatch(station.layout.root, 'MS-1887_042', { pages: 3 });
    input.events = eventsFor('MS-1887_042');
    const written = await writePackage(input, {
      packagesDir: station.layout.packages,
      now: () => Date.parse('2025-03-04T08:00:00Z'),
    });
    const bag = path.join(station.layout.packages, 'MS-1887_042');
    expect(written).toMatchObject({ path: bag, files: 3 * 4 + 4, iiif: true });
    const verdict = await inspectBag(bag);
    expect(verdict).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(readFileSync(path.join(bag, 'bagit.txt'), 'utf8')).toBe(
      'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
    );
    const info = readFileSync(path.join(bag, 'bag-info.txt'), 'utf8');
    expect(info).toContain('Bagging-Date: 2025-03-04\n');
    expect(info).toMatch(new RegExp(`Payload-Oxum: ${written.bytes}\\.${written.files}\\n`));
    expect(readFileSync(path.join(bag, 'tagmanifest-sha256.txt'), 'utf8')).toMatch(/ manifest-sha256\.txt\n/);
    expect(readdirSync(path.join(bag, 'data')).sort()).toEqual([
      'access',
      'masters',
      'metadata',
      'mets.xml',
      'thumbnails',
    ]);
    expect(readdirSync(path.join(bag, 'data', 'metadata')).sort()).toEqual([
      'iiif-manifest.json',
      'mods.xml',
      'page-0001.xmp',
      'page-0002.xmp',
      'page-0003.xmp',
      'premis.xml',
    ]);
    const mets = readFileSync(path.join(bag, 'data', 'mets.xml'), 'utf8');
    expect(mets).toContain(input.events[0]!.id);
    expect([...mets.matchAll(/ORDER="(\d)"/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
    expect(readdirSync(station.layout.packages)).toEqual(['MS-1887_042']);
    requireXmllint(skip);
    const check = (rel: string, schema: string) => {
      const result = validateXml(readFileSync(path.join(bag, 'data', rel), 'utf8'), schema);
      expect(result.valid, `${rel}: ${result.output}`).toBe(true);
    };
    check('mets.xml', 'driver/mets-profile-driver.xsd');
    check('metadata/premis.xml', 'premis/premis-v3-0.xsd');
    check('metadata/mods.xml', 'mods/mods-3-8.xsd');
  });

  it('describes a Dublin Core batch in DC and leaves a restricted batch out of IIIF', async ({ skip }) => {
    const input = await stageBatch(station.layout.root, 'DC-1', {
      schema: 'DublinCore',
      accessTier: 'restricted',
    });
    const written = await writePackage(input, { packagesDir: station.layout.packages });
    expect(written.iiif).toBe(false);
    const metadata = readdirSync(path.join(written.path, 'data', 'metadata'));
    expect(metadata).toContain('dc.xml');
    expect(metadata).not.toContain('iiif-manifest.json');
    requireXmllint(skip);
    expect(
      validateXml(
        readFileSync(path.join(written.path, 'data', 'metadata', 'dc.xml'), 'utf8'),
        'oai/oai_dc.xsd',
      ).valid,
    ).toBe(true);
    expect(
      validateXml(
        readFileSync(path.join(written.path, 'data', 'mets.xml'), 'utf8'),
        'driver/mets-profile-driver.xsd',
      ).valid,
    ).toBe(true);
  });

  it('never overwrites an existing package', async () => {
    const input = await stageBatch(station.layout.root, 'B2');
    const first = await writePackage(input, { packagesDir: station.layout.packages });
    const before = readFileSync(path.join(first.path, 'manifest-sha256.txt'), 'utf8');
    await expect(writePackage(input, { packagesDir: station.layout.packages })).rejects.toBeInstanceOf(
      FileExistsError,
    );
    expect(readFileSync(path.join(first.path, 'manifest-sha256.txt'), 'utf8')).toBe(before);
    expect(readdirSync(station.layout.packages)).toEqual(['B2']);
  });

  it('refuses a master that changed since capture, and stores nothing', async () => {
    const input = await stageBatch(station.layout.root, 'B3');
    const master = input.pages.find((p) => p.page === 2)!.masterPath;
    writeFileSync(master, Buffer.concat([readFileSync(master), Buffer.from('x')]));
    await expect(writePackage(input, { packagesDir: station.layout.packages })).rejects.toMatchObject({
      code: 'SOURCE_CHANGED',
      message: expect.stringContaining('masters/page-0002.tif'),
    });
    expect(existsSync(path.join(station.layout.packages, 'B3'))).toBe(false);
    expect(readdirSync(station.layout.packages)).toEqual([]);
  });
});
