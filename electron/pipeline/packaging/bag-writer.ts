import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { FileExistsError, fsyncDir, pathExists, writeFileAtomic } from '../../storage/index';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface BagPayload {
  source: string;
  /** Path under data/, forward slashes. */
  dest: string;
  /** Known SHA-256 (verified at capture); checked again when given for a hard link's safety. */
  sha256?: string;
}

/**
 * Writes a BagIt 1.0 bag at `target`, never replacing an existing one: the bag is assembled in
 * a hidden sibling folder, every file and folder fsynced, and renamed into place only when
 * complete. Payload files are hard-linked from staging when possible (staging masters are
 * never modified after capture), copied otherwise, and every one is hashed from disk.
 */
export async function writeBag(
  target: string,
  payload: BagPayload[],
  bagInfo: Record<string, string>,
): Promise<{ path: string; files: number; bytes: number }> {
  if (await pathExists(target)) throw new FileExistsError(target);
  const parent = path.dirname(target);
  const building = path.join(parent, `.${path.basename(target)}.building-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(path.join(building, 'data'), { recursive: true });
  try {
    const lines: string[] = [];
    let bytes = 0;
    for (const item of payload) {
      const dest = path.join(building, 'data', ...item.dest.split('/'));
      await fs.mkdir(path.dirname(dest), { recursive: true });
      try {
        await fs.link(item.source, dest);
      } catch {
        await fs.copyFile(item.source, dest);
      }
      const sha = await sha256File(dest);
      if (item.sha256 && sha !== item.sha256)
        throw new Error(`${item.dest}: SHA-256 ${sha} differs from the recorded ${item.sha256}`);
      bytes += (await fs.stat(dest)).size;
      lines.push(`${sha}  data/${encodePath(item.dest)}`);
      await fsyncDir(path.dirname(dest));
    }
    const tags: Record<string, string> = {
      'bagit.txt': 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
      'bag-info.txt':
        Object.entries({
          ...bagInfo,
          'Payload-Oxum': `${bytes}.${payload.length}`,
          'Bagging-Date': new Date().toISOString().slice(0, 10),
        })
          .map(([k, v]) => `${k}: ${v.replace(/\r?\n/g, ' ')}`)
          .join('\n') + '\n',
      'manifest-sha256.txt': lines.join('\n') + '\n',
    };
    const tagLines: string[] = [];
    for (const [name, text] of Object.entries(tags)) {
      const sha = await writeFileAtomic(path.join(building, name), text);
      tagLines.push(`${sha}  ${name}`);
    }
    await writeFileAtomic(path.join(building, 'tagmanifest-sha256.txt'), tagLines.join('\n') + '\n');
    await fsyncDir(path.join(building, 'data'));
    await fsyncDir(building);
    if (await pathExists(target)) throw new FileExistsError(target);
    await fs.rename(building, target);
    await fsyncDir(parent);
    return { path: target, files: payload.length, bytes };
  } catch (error) {
    await fs.rm(building, { recursive: true, force: true });
    throw error;
  }
}

/** BagIt 1.0 percent-encodes CR, LF and % in manifest paths. */
function encodePath(p: string): string {
  return p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
