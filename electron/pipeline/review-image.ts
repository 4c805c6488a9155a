import { existsSync, promises as fs } from 'node:fs';
import sharp from 'sharp';
import type { BatchStore } from './batches/batch-store';

/**
 * A page's thumbnail or access-size image as a data URL, for the console (which reads no files
 * itself): the derivative when there is one; before derivatives exist (a batch still capturing,
 * or quarantined at capture or QC), a rendering of the master made in memory, never the master.
 * A master that does not decode has no image to show.
 */
export async function reviewImage(
  store: BatchStore,
  batchId: string,
  page: number,
  size: 'thumb' | 'access',
): Promise<string | null> {
  const stored = store.page(batchId, page);
  if (!stored) return null;
  const file = size === 'thumb' ? stored.thumbnailPath : stored.accessPath;
  if (file && existsSync(file))
    return `data:image/jpeg;base64,${(await fs.readFile(file)).toString('base64')}`;
  try {
    const edge = size === 'thumb' ? 400 : 1600;
    const image = await sharp(stored.masterPath, { limitInputPixels: 2_000_000_000 })
      .resize({ width: edge, height: edge, fit: 'inside' })
      .toColourspace('srgb')
      .jpeg({ quality: 80 })
      .toBuffer();
    return `data:image/jpeg;base64,${image.toString('base64')}`;
  } catch {
    return null;
  }
}
