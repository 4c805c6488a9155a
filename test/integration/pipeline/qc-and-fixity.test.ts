import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDerivatives } from '../../../electron/pipeline/derivatives';
import { writeBag } from '../../../electron/pipeline/packaging/bag-writer';
import { fixityCheck } from '../../../electron/pipeline/packaging/fixity';
import { batchConsistency, inspectMaster } from '../../../electron/pipeline/qc';
import { makeTiffPage } from '../../../electron/scanner/simulator/tiff-pages';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/temp-dir';

describe('image QC, derivatives and fixity', () => {
  const dir = makeTempDir();
  afterEach(() => undefined);

  async function master(name: string, spec: Parameters<typeof makeTiffPage>[0]) {
    const file = path.join(dir.path, name);
    writeFileSync(file, await makeTiffPage(spec, 1));
    return file;
  }

  it('passes a master that matches its profile, warning only about a missing ICC profile', async () => {
    const colour = await master('ok.tif', {
      widthInches: 1,
      heightInches: 1,
      dpi: 300,
      mode: 'color',
      bitDepth: 8,
    });
    expect((await inspectMaster(colour, 1, { dpi: 300, mode: 'color', bitDepth: 8 })).findings).toEqual([]);
    const noIcc = await master('noicc.tif', {
      widthInches: 1,
      heightInches: 1,
      dpi: 300,
      mode: 'color',
      bitDepth: 16,
    });
    const result = await inspectMaster(noIcc, 2, { dpi: 300, mode: 'color', bitDepth: 16 });
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([['NO_ICC_PROFILE', 'warning']]);
  });

  it('finds resolution, depth and mode that differ from the profile', async () => {
    const gray = await master('gray.tif', {
      widthInches: 1,
      heightInches: 1,
      dpi: 200,
      mode: 'gray',
      bitDepth: 8,
    });
    const codes = (await inspectMaster(gray, 1, { dpi: 300, mode: 'color', bitDepth: 16 })).findings.map(
      (f) => f.code,
    );
    expect(codes).toEqual(expect.arrayContaining(['DPI_MISMATCH', 'BIT_DEPTH_MISMATCH', 'MODE_MISMATCH']));
  });

  it('reports non-TIFF bytes and a truncated TIFF as DECODE_FAILED, never crashing', async () => {
    const junk = path.join(dir.path, 'junk.tif');
    writeFileSync(junk, Buffer.from('this is not an image at all'));
    expect((await inspectMaster(junk, 1, { dpi: 300, mode: 'gray', bitDepth: 8 })).findings[0]).toMatchObject(
      { code: 'DECODE_FAILED', severity: 'error' },
    );
    const whole = await makeTiffPage(
      { widthInches: 1, heightInches: 1, dpi: 300, mode: 'gray', bitDepth: 8 },
      1,
    );
    const truncated = path.join(dir.path, 'truncated.tif');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    expect(
      (await inspectMaster(truncated, 1, { dpi: 300, mode: 'gray', bitDepth: 8 })).findings[0],
    ).toMatchObject({ code: 'DECODE_FAILED' });
  });

  it('flags pages of one batch that disagree', () => {
    const meta = {
      width: 100,
      height: 140,
      dpi: 300,
      bitDepth: 8,
      channels: 3,
      space: 'srgb',
      hasIcc: true,
      format: 'tiff',
    };
    const findings = batchConsistency([
      { page: 1, meta },
      { page: 2, meta: { ...meta, dpi: 600 } },
      { page: 3, meta: { ...meta, width: 150 } },
    ]);
    expect(findings.map((f) => [f.page, f.code])).toEqual([
      [2, 'INCONSISTENT_PAGE'],
      [3, 'SIZE_VARIES'],
    ]);
  });

  it('makes an sRGB access JPEG within 3000 px and a 400 px thumbnail, never overwriting', async () => {
    const big = await master('big.tif', {
      widthInches: 11,
      heightInches: 17,
      dpi: 300,
      mode: 'gray',
      bitDepth: 8,
    });
    const out = await makeDerivatives(
      big,
      path.join(dir.path, 'd/access.jpg'),
      path.join(dir.path, 'd/thumb.jpg'),
    );
    const access = await sharp(out.access.path).metadata();
    const thumb = await sharp(out.thumbnail.path).metadata();
    expect([access.format, Math.max(access.width!, access.height!), access.space]).toEqual([
      'jpeg',
      3000,
      'srgb',
    ]);
    expect(Math.max(thumb.width!, thumb.height!)).toBe(400);
    await expect(makeDerivatives(big, out.access.path, path.join(dir.path, 'd/t2.jpg'))).rejects.toThrow(
      /overwrite/,
    );
  });

  it('converts a wide-gamut master to sRGB from its own embedded profile', async () => {
    // sRGB (0, 200, 0) stored as Display P3 values, with the P3 profile embedded: an access copy
    // that ignored or lost the profile would show the P3 numbers instead of the original green.
    const file = path.join(dir.path, 'p3.tif');
    await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 0, g: 200, b: 0 } } })
      .withIccProfile('p3')
      .tiff()
      .toFile(file);
    const stored = await sharp(file, { ignoreIcc: true }).raw().toBuffer();
    expect(Math.abs(stored[0]! - 0)).toBeGreaterThan(20);
    const out = await makeDerivatives(file, path.join(dir.path, 'p3/a.jpg'), path.join(dir.path, 'p3/t.jpg'));
    const meta = await sharp(out.access.path).metadata();
    expect(meta.icc).toBeDefined();
    const [r, g, b] = await sharp(out.access.path, { ignoreIcc: true }).raw().toBuffer();
    for (const [actual, expected] of [
      [r, 0],
      [g, 200],
      [b, 0],
    ] as const)
      expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(8);
  });

  it('fixity names a changed byte by file, and quire fixity exits non-zero and records the event', async () => {
    const payload = path.join(dir.path, 'payload.bin');
    writeFileSync(payload, Buffer.alloc(1000, 7));
    const bag = path.join(dir.path, 'bags', 'B1');
    await writeBag(bag, [{ source: payload, dest: 'masters/page-0001.tif' }], {
      'External-Identifier': 'B1',
    });
    expect((await fixityCheck(bag)).valid).toBe(true);
    appendFileSync(path.join(bag, 'data/masters/page-0001.tif'), 'x');
    const result = await fixityCheck(bag);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toContain('data/masters/page-0001.tif');
    const run = await runCli(['fixity', bag, '--data', path.join(dir.path, 'station')]).done;
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ valid: false, auditEvent: expect.any(String) });
    await expect(writeBag(bag, [{ source: payload, dest: 'x' }], {})).rejects.toThrow(/overwrite/);
  });

  it('quire batch run takes the example manifest to a package and exits 0', async () => {
    const run = await runCli([
      'batch',
      'run',
      'examples/batch-manifest.json',
      '--data',
      path.join(dir.path, 'run'),
    ]).done;
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ batch: 'MS-1887-042', outcome: 'completed', pages: 4 });
    const verify = await runCli(['bag', 'verify', run.json!.package as string]).done;
    expect(verify.json).toMatchObject({ valid: true });
    dir.cleanup();
  });
});
