import { readdirSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { PageStructureError, PageWriter } from '../../../electron/scanner/page-writer';
import { makeTempDir } from '../../helpers/temp-dir';

describe('the page writer names a page by its real format, and only a whole image', () => {
  let dir: ReturnType<typeof makeTempDir>;
  afterEach(() => dir.cleanup());

  const png = () =>
    sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();

  it('a PNG the driver announced without a checksum is kept as page-NNNN.png with the SHA-256 computed on arrival', async () => {
    dir = makeTempDir();
    const bytes = await png();
    const writer = await PageWriter.open(dir.path, 7, null, 'png');
    writer.write(bytes.subarray(0, 100));
    writer.write(bytes.subarray(100));
    const sealed = await writer.seal();
    const page = await writer.publish();
    expect(sealed.format).toBe('png');
    expect(page).toMatchObject({ page: 7, bytes: bytes.length, format: 'png', checksumAnnounced: false });
    expect(page.path.endsWith('page-0007.png')).toBe(true);
    expect(readdirSync(dir.path)).toEqual(['page-0007.png']);
  });

  it('bytes announced as TIFF that are a PNG take the PNG extension: the extension says what the bytes are', async () => {
    dir = makeTempDir();
    const writer = await PageWriter.open(dir.path, 1, null, 'tiff');
    writer.write(await png());
    await writer.seal();
    expect((await writer.publish()).path.endsWith('page-0001.png')).toBe(true);
  });

  it('a truncated page never gets a final name, and nothing of it stays', async () => {
    dir = makeTempDir();
    const bytes = await png();
    const writer = await PageWriter.open(dir.path, 2, null, 'png');
    writer.write(bytes.subarray(0, bytes.length - 20));
    await expect(writer.seal()).rejects.toBeInstanceOf(PageStructureError);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('a page slot already filled in another format is never written again', async () => {
    dir = makeTempDir();
    const first = await PageWriter.open(dir.path, 3, null, 'png');
    first.write(await png());
    await first.seal();
    await first.publish();
    await expect(PageWriter.open(dir.path, 3, null, 'tiff')).rejects.toThrow(/existing file .*page-0003.png/);
  });
});
