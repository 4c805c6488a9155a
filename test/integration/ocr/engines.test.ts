import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOcrEngine,
  nativeTesseractUnavailable,
  ocrCacheDir,
  recognizePage,
  wordAccuracy,
  wordsOf,
  type EngineChoice,
} from '../../../electron/ocr/index';
import { makeTextPage, textPageWords } from '../../../electron/scanner/simulator/text-pages';
import type { PageSpec } from '../../../electron/scanner/simulator/tiff-pages';
import { makeTempDir } from '../../helpers/temp-dir';
import { validateXml, withoutXmllint } from '../../helpers/xmllint';

const A4_300_GREY: PageSpec = { widthInches: 8.27, heightInches: 11.69, dpi: 300, mode: 'gray', bitDepth: 8 };
const A4_600_COLOUR: PageSpec = { ...A4_300_GREY, dpi: 600, mode: 'color' };
const A4_200_GREY: PageSpec = { ...A4_300_GREY, dpi: 200 };
const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

const NATIVE_MISSING = nativeTesseractUnavailable();
if (NATIVE_MISSING) process.stdout.write(`SKIPPED native tesseract comparison: ${NATIVE_MISSING}\n`);

describe('OCR engines on rendered text pages', () => {
  const temp = makeTempDir('quire-ocr-');
  const data = path.join(temp.path, 'data');
  const cwdBefore = readdirSync(process.cwd());
  const texts = new Map<EngineChoice, string>();
  const altos: string[] = [];

  beforeAll(async () => {
    await fs.writeFile(path.join(temp.path, 'grey.tif'), await makeTextPage(A4_300_GREY, 4));
    await fs.writeFile(path.join(temp.path, 'colour.tif'), await makeTextPage(A4_600_COLOUR, 5));
    await fs.writeFile(path.join(temp.path, 'coarse.tif'), await makeTextPage(A4_200_GREY, 6));
  }, 60_000);
  afterAll(() => temp.cleanup());

  const read = async (choice: EngineChoice, file: string, page: number) => {
    const engine = createOcrEngine({ choice, size: 1, tessdataDir: ocrCacheDir(data) });
    try {
      const out = path.join(temp.path, choice);
      return await recognizePage(engine, {
        master: path.join(temp.path, file),
        pageNumber: page,
        languages: ['eng'],
        altoFile: path.join(out, `${file}.alto.xml`),
        textFile: path.join(out, `${file}.txt`),
      });
    } finally {
      await engine.close();
    }
  };

  it('the bundled engine reads ≥ 95% of the words of a 300-dpi grey page; the master is untouched', async () => {
    const master = path.join(temp.path, 'grey.tif');
    const before = await sha256(master);
    const result = await read('bundled', 'grey.tif', 4);
    const text = await fs.readFile(result.textFile, 'utf8');
    texts.set('bundled', text);
    altos.push(result.altoFile);
    expect(wordAccuracy(textPageWords(A4_300_GREY, 4), wordsOf(text))).toBeGreaterThanOrEqual(0.95);
    expect(result.words).toBeGreaterThan(300);
    expect(result.meanConfidence).toBeGreaterThan(0.8);
    expect(await sha256(master)).toBe(before);
    // The models were unpacked into the data folder, and nothing was written to the cwd.
    expect(existsSync(path.join(ocrCacheDir(data), 'eng.traineddata'))).toBe(true);
    expect(readdirSync(process.cwd())).toEqual(cwdBefore);
  }, 180_000);

  it('a 600-dpi colour master is read at 300 dpi grey, boxes in the master’s pixels', async () => {
    const result = await read('bundled', 'colour.tif', 5);
    altos.push(result.altoFile);
    const text = await fs.readFile(result.textFile, 'utf8');
    expect(wordAccuracy(textPageWords(A4_600_COLOUR, 5), wordsOf(text))).toBeGreaterThanOrEqual(0.95);
    const alto = await fs.readFile(result.altoFile, 'utf8');
    expect(alto).toContain('WIDTH="4962" HEIGHT="7014"');
    expect(alto).toContain('dpi=300');
    // The left margin is one inch: 600 px in the master, not 300.
    const firstWord = /<String [^>]*HPOS="(\d+)"/.exec(alto)!;
    expect(Number(firstWord[1])).toBeGreaterThan(560);
    expect(Number(firstWord[1])).toBeLessThan(660);
  }, 180_000);

  it.skipIf(NATIVE_MISSING !== null)(
    'Debian’s tesseract, on the same models, writes the same text and the same boxes',
    async () => {
      const result = await read('native', 'grey.tif', 4);
      const alto = await fs.readFile(result.altoFile, 'utf8');
      altos.push(result.altoFile);
      expect(await fs.readFile(result.textFile, 'utf8')).toBe(texts.get('bundled'));
      const bundled = await fs.readFile(path.join(temp.path, 'bundled', 'grey.tif.alto.xml'), 'utf8');
      const boxes = (xml: string) =>
        [...xml.matchAll(/CONTENT="[^"]*" HPOS="\d+" VPOS="\d+" WIDTH="\d+"/g)].map((m) => m[0]);
      expect(boxes(alto)).toEqual(boxes(bundled));
      expect(alto).toContain('<softwareName>tesseract</softwareName>');
    },
    180_000,
  );

  it.skipIf(NATIVE_MISSING !== null)(
    'a 200-dpi master is read at its own resolution by both engines, with the same text and boxes',
    async () => {
      const bundled = await read('bundled', 'coarse.tif', 6);
      const native = await read('native', 'coarse.tif', 6);
      altos.push(bundled.altoFile, native.altoFile);
      const bundledAlto = await fs.readFile(bundled.altoFile, 'utf8');
      const nativeAlto = await fs.readFile(native.altoFile, 'utf8');
      expect(bundledAlto).toContain('dpi=200');
      const words = (xml: string) =>
        [...xml.matchAll(/CONTENT="[^"]*" HPOS="\d+" VPOS="\d+" WIDTH="\d+" HEIGHT="\d+"/g)].map((m) => m[0]);
      expect(words(bundledAlto).length).toBeGreaterThan(300);
      expect(words(bundledAlto)).toEqual(words(nativeAlto));
      expect(await fs.readFile(bundled.textFile, 'utf8')).toBe(await fs.readFile(native.textFile, 'utf8'));
    },
    180_000,
  );

  it.skipIf(withoutXmllint())('every ALTO written above validates against ALTO 4.4', async () => {
    expect(altos.length).toBeGreaterThanOrEqual(2);
    for (const file of altos) {
      const verdict = validateXml(await fs.readFile(file, 'utf8'), 'alto/alto-4-4.xsd');
      expect(verdict.output).toContain('validates');
    }
  });

  it('an image that does not decode is named in the error', async () => {
    const bad = path.join(temp.path, 'bad.tif');
    await fs.writeFile(bad, 'not an image');
    await expect(read('bundled', 'bad.tif', 1)).rejects.toThrow(/bad\.tif/);
  });
});
