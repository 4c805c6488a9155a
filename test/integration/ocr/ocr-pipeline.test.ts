import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordAccuracy, wordsOf } from '../../../electron/ocr/accuracy';
import { verifyBag } from '../../../electron/pipeline/packaging/bag-verify';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { textPageWords } from '../../../electron/scanner/simulator/text-pages';
import type { PageSpec } from '../../../electron/scanner/simulator/tiff-pages';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';
import { requireXmllint, validateXml } from '../../helpers/xmllint';

const PAGE = { widthInches: 8.27, heightInches: 5 };
const SPEC: PageSpec = { ...PAGE, dpi: 300, mode: 'gray', bitDepth: 8 };
const GREY_300 = { dpi: 300, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' };

describe('OCR as a pipeline stage', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  const simulator = new ScanLinkSimulator({
    sheets: null,
    serial: 'TEXT-1',
    textPages: true,
    pageWidthInches: PAGE.widthInches,
    pageHeightInches: PAGE.heightInches,
  });

  beforeAll(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1, runWorkers: true }));
    const port = await simulator.start();
    station.devices.add({
      name: 'text-1',
      host: '127.0.0.1',
      port,
      profile: { dpi: 300, mode: 'gray', bitDepth: 8 },
    });
  });
  afterAll(async () => {
    await dispose?.();
    await simulator.stop();
  });

  it('a batch with OCR gets ALTO and text per page in the bag, METS FULLTEXT and a PREMIS OCR event', async ({
    skip,
  }) => {
    const manifest = exampleManifest({
      batch_id: 'OCR-1',
      device: 'text-1',
      scanner_profile: GREY_300,
      expected_pages: 2,
      file_count: 2,
      ocr: { enabled: true, languages: ['eng'] },
    });
    await station.pipeline.create(manifest, null);
    const done = await untilBatch(station, 'OCR-1');
    expect(done.stage).toBe('completed');
    const types = (await station.queue.list({ batchId: 'OCR-1', limit: 20 })).items.map((j) => j.type);
    expect(types).toContain('batch.ocr');

    const bag = station.pipeline.store.detail('OCR-1')!.packagePath!;
    expect(await verifyBag(bag)).toMatchObject({ valid: true });
    const manifestLines = readFileSync(path.join(bag, 'manifest-sha256.txt'), 'utf8');
    for (const page of [1, 2]) {
      const name = `page-000${page}`;
      expect(manifestLines).toContain(`data/alto/${name}.xml`);
      expect(manifestLines).toContain(`data/text/${name}.txt`);
      const text = readFileSync(path.join(bag, 'data', 'text', `${name}.txt`), 'utf8');
      expect(wordAccuracy(textPageWords(SPEC, page), wordsOf(text))).toBeGreaterThanOrEqual(0.95);
      const alto = readFileSync(path.join(bag, 'data', 'alto', `${name}.xml`), 'utf8');
      expect(alto).toContain(`<fileName>${name}.tif</fileName>`);
    }

    const mets = readFileSync(path.join(bag, 'data', 'mets.xml'), 'utf8');
    const fulltext = /<mets:fileGrp USE="FULLTEXT">([\s\S]*?)<\/mets:fileGrp>/.exec(mets)![1]!;
    expect(fulltext.match(/<mets:file /g)).toHaveLength(2);
    expect(fulltext).toContain('xlink:href="alto/page-0001.xml"');
    expect(fulltext).toContain('MIMETYPE="text/xml"');
    // Each page's division points at its image and its ALTO.
    const divs = [...mets.matchAll(/<mets:div TYPE="page"[\s\S]*?<\/mets:div>/g)].map((m) => m[0]);
    expect(divs).toHaveLength(2);
    divs.forEach((div, i) => {
      expect(div).toContain(`FILEID="MASTER-000${i + 1}"`);
      expect(div).toContain(`FILEID="FULLTEXT-000${i + 1}"`);
    });

    // The PREMIS OCR event names the engine and its version as the executing program.
    const premis = readFileSync(path.join(bag, 'data', 'metadata', 'premis.xml'), 'utf8');
    expect(premis).toMatch(/<premis:eventDetail>OCR full text[^<]*by tesseract.js/);
    expect(premis).toMatch(
      /<premis:agentName>tesseract.js<\/premis:agentName>[\s\S]*?<premis:agentVersion>\d+\.\d+\.\d+<\/premis:agentVersion>/,
    );
    expect(station.audit.verify().ok).toBe(true);
    expect((await station.pipeline.verify({ batchId: 'OCR-1' })).ok).toBe(true);

    // Full-text search finds the batch's pages; a hit opens with its matching words' boxes.
    await station.pipeline.search.indexBatch('OCR-1');
    expect(station.pipeline.search.search('zebra')).toEqual([]);
    const anyWord = textPageWords(SPEC, 2).find((w) => /^[A-Za-z]{6,}$/.test(w))!;
    const found = station.pipeline.search.search(anyWord);
    expect(found.map((h) => [h.batchId, h.page])).toContainEqual(['OCR-1', 2]);
    const hit = found.find((h) => h.page === 2)!;
    expect(hit.title).toBe('Letter book of the Harbour Commission, 1887');
    expect(hit.snippet).toContain(`\u0002${anyWord}\u0003`);
    const opened = await station.pipeline.search.pageMatches('OCR-1', 2, anyWord);
    expect(opened).toMatchObject({ width: 2481, height: 1500 });
    expect(opened.matches.length).toBeGreaterThan(0);
    for (const box of opened.matches) {
      expect(box.text.toLowerCase()).toContain(anyWord.toLowerCase());
      expect(box.x).toBeGreaterThan(250);
      expect(box.y + box.height).toBeLessThan(1500);
    }

    // The same through the contract, as the console calls it.
    const call = await contractCallers(station);
    const viaContract = (await call.operator('search.fulltext', { query: anyWord })) as {
      ok: true;
      output: { hits: { batchId: string; page: number }[] };
    };
    expect(viaContract.output.hits).toContainEqual(expect.objectContaining({ batchId: 'OCR-1', page: 2 }));
    const pageView = (await call.operator('search.page', { batchId: 'OCR-1', page: 2, query: anyWord })) as {
      ok: true;
      output: { dataUrl: string | null; matches: unknown[] };
    };
    expect(pageView.output.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    expect(pageView.output.matches.length).toBe(opened.matches.length);
    expect(await call.operator('search.fulltext', { query: '  ' })).toMatchObject({ ok: false });

    requireXmllint(skip);
    expect(validateXml(mets, 'driver/mets-profile-driver.xsd')).toMatchObject({ valid: true });
    for (const page of [1, 2]) {
      const alto = readFileSync(path.join(bag, 'data', 'alto', `page-000${page}.xml`), 'utf8');
      expect(validateXml(alto, 'alto/alto-4-4.xsd').output).toContain('validates');
    }
  }, 300_000);

  it('a page where OCR finds no text is a QC warning, and the batch completes', async () => {
    // sim-1 scans plain tone pages: nothing to read.
    const manifest = exampleManifest({
      batch_id: 'OCR-BLANK',
      expected_pages: 1,
      file_count: 1,
      ocr: { enabled: true, languages: ['eng', 'fra'] },
    });
    await station.pipeline.create(manifest, null);
    expect((await untilBatch(station, 'OCR-BLANK')).stage).toBe('completed');
    const warnings = station.audit
      .forObject('OCR-BLANK')
      .filter((e) => e.type === 'validation' && e.outcome === 'warning');
    expect(warnings.map((e) => e.detail)).toEqual(['OCR_NO_TEXT: OCR found no text on page 1']);
    const bag = station.pipeline.store.detail('OCR-BLANK')!.packagePath!;
    expect(readFileSync(path.join(bag, 'data', 'text', 'page-0001.txt'), 'utf8')).toBe('');
  }, 300_000);

  it('a batch without OCR has no ALTO and no batch.ocr job', async () => {
    await station.pipeline.create(
      exampleManifest({ batch_id: 'NO-OCR', expected_pages: 1, file_count: 1 }),
      null,
    );
    expect((await untilBatch(station, 'NO-OCR')).stage).toBe('completed');
    const types = (await station.queue.list({ batchId: 'NO-OCR', limit: 20 })).items.map((j) => j.type);
    expect(types).not.toContain('batch.ocr');
    const mets = readFileSync(
      path.join(station.pipeline.store.detail('NO-OCR')!.packagePath!, 'data', 'mets.xml'),
      'utf8',
    );
    expect(mets).not.toContain('FULLTEXT');
  }, 120_000);

  it('a saved scan profile keeps its OCR choice', async () => {
    const call = await contractCallers(station);
    const profile = { dpi: 300, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' };
    const ocr = { enabled: true, languages: ['eng', 'fra'] };
    expect(
      await call.supervisor('settings.saveScanProfile', { name: 'typescripts with OCR', profile, ocr }),
    ).toMatchObject({ ok: true });
    const settings = (await call.operator('settings.get')) as {
      ok: true;
      output: { scanProfiles: { name: string; ocr?: unknown }[] };
    };
    expect(settings.output.scanProfiles.find((p) => p.name === 'typescripts with OCR')?.ocr).toEqual(ocr);
  });
});
