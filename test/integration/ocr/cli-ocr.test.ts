import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordAccuracy, wordsOf } from '../../../electron/ocr/accuracy';
import { makeTextPage, textPageWords } from '../../../electron/scanner/simulator/text-pages';
import type { PageSpec } from '../../../electron/scanner/simulator/tiff-pages';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';
import { validateXml, withoutXmllint } from '../../helpers/xmllint';

const SPEC: PageSpec = { widthInches: 8.27, heightInches: 11.69, dpi: 300, mode: 'gray', bitDepth: 8 };
const NO_NETWORK = path.resolve('test/integration/ocr/fixtures/no-network.cjs');

describe('quire ocr', () => {
  const temp = makeTempDir('quire-ocr-cli-');
  const out = path.join(temp.path, 'out');
  const log = path.join(temp.path, 'network.log');
  const env = {
    QUIRE_OCR_ENGINE: 'bundled',
    NODE_OPTIONS: `--require ${NO_NETWORK}`,
    NO_NETWORK_LOG: log,
  };
  beforeAll(async () => {
    await fs.writeFile(path.join(temp.path, 'letter-1.tif'), await makeTextPage(SPEC, 1));
    await fs.writeFile(path.join(temp.path, 'broken.tif'), Buffer.from('II*\0 truncated'));
  });
  afterAll(() => temp.cleanup());

  it('writes <name>.alto.xml and .txt and one JSON line, with no network at all', async () => {
    const data = path.join(temp.path, 'data');
    const run = await runCli(['ocr', path.join(temp.path, 'letter-1.tif'), '--out', out, '--data', data], env)
      .done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const pages = run.json!.pages as { image: string; words: number; meanConfidence: number }[];
    expect(pages).toHaveLength(1);
    expect(pages[0]!.words).toBeGreaterThan(300);
    expect(pages[0]!.meanConfidence).toBeGreaterThan(0.8);
    expect(run.json!.engine).toMatchObject({ name: 'tesseract.js' });
    const text = readFileSync(path.join(out, 'letter-1.txt'), 'utf8');
    expect(wordAccuracy(textPageWords(SPEC, 1), wordsOf(text))).toBeGreaterThanOrEqual(0.95);
    // The guard ran in the main thread and in the OCR worker thread, and nothing reached for the network.
    const trace = readFileSync(log, 'utf8');
    expect(trace).toContain('loaded main');
    expect(trace).toContain('loaded worker');
    expect(trace).not.toContain('NETWORK');
    // The models were unpacked into the given data folder.
    expect(existsSync(path.join(data, 'cache', 'ocr', 'tessdata', 'eng.traineddata'))).toBe(true);
  }, 180_000);

  it.skipIf(withoutXmllint())('the ALTO it wrote validates against ALTO 4.4', () => {
    const xml = readFileSync(path.join(out, 'letter-1.alto.xml'), 'utf8');
    expect(validateXml(xml, 'alto/alto-4-4.xsd').output).toContain('validates');
  });

  it('exits non-zero naming an unreadable image', async () => {
    const broken = path.join(temp.path, 'broken.tif');
    const run = await runCli(['ocr', broken, '--out', out, '--data', path.join(temp.path, 'data')], env).done;
    expect(run.code).toBe(1);
    expect(run.json!.error).toMatchObject({ code: 'UNREADABLE_IMAGE', image: broken });
    expect(String((run.json!.error as { message: string }).message)).toContain('broken.tif');
    expect(existsSync(path.join(out, 'broken.alto.xml'))).toBe(false);
  }, 60_000);

  it('refuses a language it has no data for, naming it', async () => {
    const run = await runCli(
      ['ocr', path.join(temp.path, 'letter-1.tif'), '--out', out, '--lang', 'deu'],
      env,
    ).done;
    expect(run.code).toBe(2);
    expect(run.json!.error).toMatchObject({ code: 'UNKNOWN_LANGUAGE' });
    expect(String((run.json!.error as { message: string }).message)).toContain('"deu"');
  });
});
