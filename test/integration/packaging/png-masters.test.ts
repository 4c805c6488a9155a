import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectBag } from '../../../electron/pipeline/packaging/bag-verify';
import { writePackage } from '../../../electron/pipeline/packaging/package';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';
import { stageBatch } from './fixtures/staged-batch';

describe('a package of PNG masters (a scanner that sends PNG)', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation());
  });
  afterEach(async () => dispose());

  it('keeps each master as .png with its own media type, in the bag, METS, PREMIS and MODS', async () => {
    const input = await stageBatch(station.layout.root, 'PNG-1', { pages: 2 });
    for (const page of input.pages) {
      const png = await sharp(page.masterPath).png().toBuffer();
      const pngPath = page.masterPath.replace(/\.tif$/, '.png');
      writeFileSync(pngPath, png);
      renameSync(page.masterPath, `${page.masterPath}.gone`);
      Object.assign(page, {
        masterPath: pngPath,
        bytes: png.length,
        sha256: createHash('sha256').update(png).digest('hex'),
      });
    }
    const written = await writePackage(input, { packagesDir: station.layout.packages });
    const bag = written.path;
    expect(await inspectBag(bag)).toMatchObject({ valid: true, errors: [] });
    expect(readdirSync(path.join(bag, 'data', 'masters')).sort()).toEqual(['page-0001.png', 'page-0002.png']);
    const mets = readFileSync(path.join(bag, 'data', 'mets.xml'), 'utf8');
    expect(mets).toMatch(/MIMETYPE="image\/png"[^>]*>\s*<mets:FLocat[^>]*masters\/page-0001\.png/);
    expect(mets).toContain('<mods:internetMediaType>image/png</mods:internetMediaType>');
    expect(mets).not.toContain('image/tiff');
  });
});
