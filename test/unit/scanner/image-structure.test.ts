import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImageStructure, ImageStructureError } from '../../../electron/scanner/image-structure';
import type { MasterFormat } from '../../../electron/scanner/master-format';
import { makeTempDir } from '../../helpers/temp-dir';

const dir = makeTempDir();
afterAll(() => dir.cleanup());

async function check(bytes: Buffer): Promise<MasterFormat> {
  const file = path.join(dir.path, `sample-${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(file, bytes);
  const handle = await fs.open(file, 'r');
  try {
    return await checkImageStructure(handle, bytes.length);
  } finally {
    await handle.close();
  }
}

const image = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 120, b: 40 } } });

function pdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
      'trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n',
  );
}

describe('the image structure check', () => {
  const samples: Record<MasterFormat, Buffer> = {} as never;
  beforeAll(async () => {
    samples.tiff = await image().tiff({ compression: 'none' }).toBuffer();
    samples.png = await image().png().toBuffer();
    samples.jpeg = await image().jpeg().toBuffer();
    samples.pdf = pdf();
  });

  it.each(['tiff', 'png', 'jpeg', 'pdf'] as const)(
    'accepts a whole %s and names its real format',
    async (format) => {
      expect(await check(samples[format])).toBe(format);
    },
  );

  it('accepts a tiled TIFF, and refuses it with a tile cut off', async () => {
    const tiled = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } })
      .tiff({ tile: true, tileWidth: 128, tileHeight: 128, compression: 'none' })
      .toBuffer();
    expect(await check(tiled)).toBe('tiff');
    await expect(check(tiled.subarray(0, tiled.length - 100))).rejects.toBeInstanceOf(ImageStructureError);
  });

  it.each(['tiff', 'png', 'jpeg', 'pdf'] as const)('refuses a %s cut short', async (format) => {
    const whole = samples[format];
    for (const keep of [whole.length - 3, Math.floor(whole.length / 2), 12]) {
      await expect(check(whole.subarray(0, keep)), `${format} cut to ${keep} bytes`).rejects.toBeInstanceOf(
        ImageStructureError,
      );
    }
  });

  it('refuses a TIFF whose strip points past the end of the file, and accepts it once the strip is there', async () => {
    const tiff = (stripOffset: number, stripBytes: number, fileBytes: number) => {
      const bytes = Buffer.alloc(fileBytes);
      bytes.write('II*\0', 0, 'latin1');
      bytes.writeUInt32LE(8, 4);
      bytes.writeUInt16LE(2, 8);
      [
        [273, stripOffset],
        [279, stripBytes],
      ].forEach(([tag, value], i) => {
        const at = 10 + i * 12;
        bytes.writeUInt16LE(tag!, at);
        bytes.writeUInt16LE(4, at + 2); // LONG
        bytes.writeUInt32LE(1, at + 4);
        bytes.writeUInt32LE(value!, at + 8);
      });
      bytes.writeUInt32LE(0, 34);
      return bytes;
    };
    await expect(check(tiff(38, 50, 60))).rejects.toThrow(/strip 0 .* beyond the end/);
    expect(await check(tiff(38, 50, 88))).toBe('tiff');
  });

  it('refuses a PNG whose data was altered (CRC)', async () => {
    const bytes = Buffer.from(samples.png);
    bytes[40] = bytes[40]! ^ 0xff; // inside IHDR's or IDAT's data
    await expect(check(bytes)).rejects.toThrow(/CRC|chunk/);
  });

  it('refuses a PNG signature followed by noise, and bytes of no image format', async () => {
    const noise = Buffer.concat([samples.png.subarray(0, 8), Buffer.alloc(4096, 0x5a)]);
    await expect(check(noise)).rejects.toBeInstanceOf(ImageStructureError);
    await expect(check(Buffer.from('hello, not an image'))).rejects.toThrow(/unknown header/);
    await expect(check(Buffer.alloc(0))).rejects.toBeInstanceOf(ImageStructureError);
  });

  it('refuses a TIFF whose directory chain loops', async () => {
    // A minimal little-endian TIFF: one IFD at byte 8 with no entries, whose next-IFD offset is 8 again.
    const bytes = Buffer.alloc(8 + 2 + 4);
    bytes.write('II*\0', 0, 'latin1');
    bytes.writeUInt32LE(8, 4);
    bytes.writeUInt16LE(0, 8);
    bytes.writeUInt32LE(8, 10);
    await expect(check(bytes)).rejects.toThrow(/no strip|loops/);
  });

  it('refuses a JPEG whose end (EOI) is missing but accepts zero padding after EOI', async () => {
    const bytes = samples.jpeg;
    await expect(check(bytes.subarray(0, bytes.length - 2))).rejects.toThrow(/EOI/);
    expect(await check(Buffer.concat([bytes, Buffer.alloc(64)]))).toBe('jpeg');
  });
});
