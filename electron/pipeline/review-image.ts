import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { StoredPage } from '../records/batch-records';
import { labStationDir } from '../storage/index';
import type { BatchStore } from './batches/batch-store';

type Size = 'thumb' | 'access';

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
  size: Size,
): Promise<string | null> {
  const stored = store.page(batchId, page);
  return stored ? imageOf(stored, size) : null;
}

async function imageOf(
  files: Pick<StoredPage, 'masterPath' | 'accessPath' | 'thumbnailPath'>,
  size: Size,
): Promise<string | null> {
  const file = size === 'thumb' ? files.thumbnailPath : files.accessPath;
  if (file && existsSync(file))
    return `data:image/jpeg;base64,${(await fs.readFile(file)).toString('base64')}`;
  try {
    const edge = size === 'thumb' ? 400 : 1600;
    // As for access copies (derivatives.ts): the master's profile is applied after the
    // reduction, not to every pixel of the master first.
    const image = await sharp(files.masterPath, { limitInputPixels: 2_000_000_000, ignoreIcc: true })
      .resize({ width: edge, height: edge, fit: 'inside' })
      .toColourspace('srgb')
      .withIccProfile('srgb')
      .jpeg({ quality: 80 })
      .toBuffer();
    return `data:image/jpeg;base64,${image.toString('base64')}`;
  } catch {
    return null;
  }
}

/**
 * Where a file of another station's batch is on this station's mount of the lab's storage root.
 * The lab's records hold the path as the batch's station wrote it, on its own mount (another
 * drive letter, another mount point); a batch's files are always under
 * `<root>/stations/<station>/staging/<batch>/` (storage/data-dir.ts), so the part below that is
 * the same on every mount. Null for a path not under it, or with a part that could step out
 * of it.
 */
export function onOwnMount(
  recorded: string,
  ownRoot: string,
  station: string,
  batchId: string,
): string | null {
  const marker = `/stations/${station}/staging/${batchId}/`;
  // A Windows station's path, read on another system, has backslashes.
  const slashed = recorded.replace(/\\/g, '/');
  const at = slashed.lastIndexOf(marker);
  if (at < 0) return null;
  const below = slashed.slice(at + marker.length).split('/');
  if (below.some((part) => part === '' || part === '.' || part === '..')) return null;
  try {
    return path.join(labStationDir({ root: ownRoot, station }), 'staging', batchId, ...below);
  } catch {
    return null; // a station name that is not a safe folder name
  }
}

/**
 * The review image of a page of another station's batch, read through this station's mount of
 * the lab's storage root: the same derivative or master rendering its own station shows. Null
 * without a mount, for a page the lab does not know, or once its files are gone (pruned after
 * transfer).
 */
export async function labReviewImage(
  page: StoredPage | null,
  station: string,
  batchId: string,
  ownRoot: string | null,
  size: Size,
): Promise<string | null> {
  if (!page || !ownRoot) return null;
  const mapped = (file: string | null) => (file ? onOwnMount(file, ownRoot, station, batchId) : null);
  const masterPath = mapped(page.masterPath);
  if (!masterPath) return null;
  return imageOf(
    { masterPath, accessPath: mapped(page.accessPath), thumbnailPath: mapped(page.thumbnailPath) },
    size,
  );
}
