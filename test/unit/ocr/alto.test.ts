import { describe, expect, it } from 'vitest';
import { buildAlto, pageStatistics, plainText } from '../../../electron/ocr/alto';
import { wordAccuracy } from '../../../electron/ocr/accuracy';
import { parseLanguages, UnknownLanguageError } from '../../../electron/ocr/language-data';
import { parseTesseractTsv } from '../../../electron/ocr/tsv';
import { validateXml, withoutXmllint } from '../../helpers/xmllint';

// Tesseract's TSV as both engines print it (header row, page/block/par/line rows, words).
const TSV = [
  'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
  '1\t1\t0\t0\t0\t0\t0\t0\t1000\t1400\t-1\t',
  '2\t1\t1\t0\t0\t0\t100\t100\t500\t80\t-1\t',
  '3\t1\t1\t1\t0\t0\t100\t100\t500\t80\t-1\t',
  '4\t1\t1\t1\t1\t0\t100\t100\t500\t30\t-1\t',
  '5\t1\t1\t1\t1\t1\t100\t100\t120\t30\t96.5\tLetter',
  '5\t1\t1\t1\t1\t2\t240\t102\t60\t28\t91\t&',
  '5\t1\t1\t1\t1\t3\t320\t100\t180\t30\t88\t"book"',
  '5\t1\t1\t1\t2\t1\t100\t150\t90\t30\t95\tNo.',
  '5\t1\t1\t1\t2\t2\t200\t150\t40\t30\t-1\t ',
  '5\t1\t1\t1\t2\t3\t250\t150\t50\t30\t70\t12',
  '5\t1\t2\t1\t1\t1\t100\t900\t300\t40\t60\tsigned',
].join('\n');

const alto = (masterScale = 2) =>
  buildAlto({
    result: parseTesseractTsv(TSV, { width: 1000, height: 1400 }),
    master: { fileName: 'page-0003.tif', width: 1000 * masterScale, height: 1400 * masterScale },
    pageNumber: 3,
    engine: { name: 'tesseract.js', version: '7.0.0' },
    languages: ['eng', 'fra'],
    dpi: 300,
    processedAt: new Date('2026-01-02T03:04:05Z'),
  });

describe('Tesseract TSV to ALTO 4.4', () => {
  it('keeps blocks, lines and words in reading order and drops empty words', () => {
    const result = parseTesseractTsv(TSV, { width: 1000, height: 1400 });
    expect(result.blocks).toHaveLength(2);
    expect(result.blocks[0]!.lines.map((l) => l.words.map((w) => w.text))).toEqual([
      ['Letter', '&', '"book"'],
      ['No.', '12'],
    ]);
    expect(result.blocks[0]!.lines[0]).toMatchObject({ x: 100, y: 100, width: 400, height: 30 });
    expect(plainText(result)).toBe('Letter & "book"\nNo. 12\n\nsigned\n');
    expect(pageStatistics(result)).toEqual({ words: 6, meanConfidence: 0.834 });
  });

  it('writes boxes in the master’s pixels, WC, SP between words, the master and the engine', () => {
    const xml = alto(2);
    expect(xml).toContain('<fileName>page-0003.tif</fileName>');
    expect(xml).toMatch(/<softwareName>tesseract.js<\/softwareName>\s*<softwareVersion>7.0.0/);
    expect(xml).toContain('languages=eng+fra');
    expect(xml).toContain('<Page ID="PAGE_3" PHYSICAL_IMG_NR="3" WIDTH="2000" HEIGHT="2800">');
    expect(xml).toContain('CONTENT="Letter" HPOS="200" VPOS="200" WIDTH="240" HEIGHT="60" WC="0.96"');
    expect(xml).toContain('CONTENT="&amp;"');
    expect(xml).toContain('<SP HPOS="440" VPOS="200" WIDTH="40"/>');
    expect(xml.match(/<String /g)).toHaveLength(6);
    expect(xml.match(/<SP /g)).toHaveLength(3);
  });

  it.skipIf(withoutXmllint())('validates against the official ALTO 4.4 schema, offline', () => {
    const verdict = validateXml(alto(1), 'alto/alto-4-4.xsd');
    expect(verdict.output).toContain('validates');
    expect(verdict.valid).toBe(true);
    const empty = buildAlto({
      result: { width: 10, height: 10, blocks: [] },
      master: { fileName: 'blank.tif', width: 10, height: 10 },
      pageNumber: 1,
      engine: { name: 'tesseract', version: '5.3.0' },
      languages: ['eng'],
      dpi: 300,
      processedAt: new Date(0),
    });
    expect(validateXml(empty, 'alto/alto-4-4.xsd').valid).toBe(true);
  });
});

describe('word accuracy and languages', () => {
  it('counts a missed, an extra and a misread word each once', () => {
    const printed = 'one two three four five six seven eight nine ten'.split(' ');
    expect(wordAccuracy(printed, printed)).toBe(1);
    expect(wordAccuracy(printed, printed.slice(1))).toBeCloseTo(0.9);
    expect(wordAccuracy(printed, [...printed, 'extra'])).toBeCloseTo(0.9);
    expect(
      wordAccuracy(
        printed,
        printed.map((w) => (w === 'six' ? 'slx' : w)),
      ),
    ).toBeCloseTo(0.9);
  });

  it('accepts the shipped languages only, naming an unknown one', () => {
    expect(parseLanguages('eng+fra')).toEqual(['eng', 'fra']);
    expect(() => parseLanguages('deu')).toThrow(UnknownLanguageError);
    expect(() => parseLanguages('deu')).toThrow(/"deu"/);
  });
});
