import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredAsset } from '../../../shared/contract/index';
import { exportLido, type LidoExportSource } from '../../../electron/catalog/lido/lido-export';
import { silentLogger } from '../../../electron/core/logger';
import { createStation } from '../../../electron/station';
import { TEST_PASSWORD_HASH_PARAMS } from '../../helpers/station';
import { runCli } from '../../helpers/cli';
import { validateLido } from '../../helpers/lido';
import { makeTempDir } from '../../helpers/temp-dir';
import { requireXmllint } from '../../helpers/xmllint';
import { catalogRecord } from '../../helpers/catalog-record';

const asset = (n: number, over: Partial<StoredAsset> = {}): StoredAsset =>
  catalogRecord(`OBJ-${String(n).padStart(6, '0')}`, {
    title: n % 3 === 0 ? `Objet ${n} — 東京 ${n}` : `Object ${n}`,
    media_url: `https://media.example.org/OBJ-${n}.jpg`,
    access_tier: n % 10 === 0 ? 'restricted' : 'public',
    ...over,
  });

describe('quire catalog export --format lido', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let data: string;
  beforeEach(async () => {
    dir = makeTempDir('quire-lido-');
    data = path.join(dir.path, 'station');
  });
  afterEach(() => dir.cleanup());

  async function seed(records: StoredAsset[]) {
    const station = await createStation({
      dataDir: data,
      logger: silentLogger(),
      passwordHashParams: TEST_PASSWORD_HASH_PARAMS,
    });
    for (let i = 0; i < records.length; i += 1000)
      await station.catalog.records.upsert(records.slice(i, i + 1000));
    await station.close();
  }

  it('writes 10,000 records as one valid LIDO wrap, leaving out and naming a record that cannot be LIDO', async ({
    skip,
  }) => {
    const records = Array.from({ length: 10_000 }, (_, i) => asset(i + 1));
    records[4241] = asset(4242, { title: 'Broken \u0007 title' });
    await seed(records);
    const out = path.join(dir.path, 'export.lido.xml');
    const run = await runCli(['catalog', 'export', '--format', 'lido', '--out', out, '--data', data]).done;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.json).toMatchObject({
      format: 'lido',
      out,
      written: 9_999,
      leftOut: [{ id: 'OBJ-004242', reasons: ['title holds a character XML cannot carry'] }],
      notInCatalog: [],
    });
    const xml = readFileSync(out, 'utf8');
    expect(xml.match(/<lido:lido /g)).toHaveLength(9_999);
    expect(xml).not.toContain('OBJ-004242');
    expect(xml).toContain('>Objet 3 — 東京 3<');
    // Restricted records (every tenth) carry no links.
    expect(xml.match(/<lido:linkResource /g)).toHaveLength(8_999);
    expect(existsSync(`${out}.part`)).toBe(false);
    requireXmllint(skip);
    const verdict = validateLido(xml);
    expect(verdict.valid, verdict.output.slice(0, 2000)).toBe(true);
  }, 180_000);

  it('exports the ids of a file, names those the catalog lacks, and never replaces a file', async ({
    skip,
  }) => {
    await seed([asset(1), asset(2), asset(3)]);
    const ids = path.join(dir.path, 'ids.txt');
    writeFileSync(ids, 'OBJ-000003\nOBJ-999999\n\nOBJ-000001\n');
    const out = path.join(dir.path, 'some.xml');
    const run = await runCli([
      'catalog',
      'export',
      '--format',
      'lido',
      '--ids-file',
      ids,
      '--out',
      out,
      '--data',
      data,
    ]).done;
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ written: 2, leftOut: [], notInCatalog: ['OBJ-999999'] });
    const xml = readFileSync(out, 'utf8');
    expect(xml.indexOf('OBJ-000003')).toBeLessThan(xml.indexOf('OBJ-000001'));
    const before = statSync(out).mtimeMs;
    const again = await runCli(['catalog', 'export', '--format', 'lido', '--out', out, '--data', data]).done;
    expect(again.code).toBe(2);
    expect(again.json).toMatchObject({ error: { code: 'EXISTS' } });
    expect(statSync(out).mtimeMs).toBe(before);
    const wrong = await runCli(['catalog', 'export', '--format', 'ead', '--out', `${out}2`, '--data', data])
      .done;
    expect(wrong.json).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('ead') },
    });
    requireXmllint(skip);
    expect(validateLido(xml).valid).toBe(true);
  }, 120_000);

  it('streams: records reach the file while later ones are still being read', async () => {
    const out = path.join(dir.path, 'streamed.xml');
    let sizeWhileReading = 0;
    async function* source(): LidoExportSource {
      for (let n = 1; n <= 5_000; n++) {
        if (n === 5_000 && existsSync(`${out}.part`)) sizeWhileReading = statSync(`${out}.part`).size;
        yield { id: `OBJ-${n}`, record: asset(n) };
      }
    }
    const result = await exportLido(source(), out, { organization: 'Stadtmuseum', today: '2026-12-01' });
    expect(result.written).toBe(5_000);
    // Well over half the records were on disk before the last one was read.
    expect(sizeWhileReading).toBeGreaterThan(result.bytes / 2);
  }, 120_000);
});
