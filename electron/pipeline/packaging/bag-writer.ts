import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileExistsError, fsyncDir, pathExists } from '../../storage/index';
import { nodeBagIo, PackagingError, writeFailure, type BagIo } from './bag-io';
import { readChunks, sha256File } from './hashing';

export { sha256File } from './hashing';

/** One payload file: copied (or hard-linked) from `source`, or written from `content`. */
export type BagPayload =
  | {
      source: string;
      /** Path under data/, forward slashes. */
      dest: string;
      /** The SHA-256 recorded earlier (at capture): the bag is refused if the file has changed since. */
      sha256?: string;
    }
  | { content: string | Uint8Array; dest: string };

export interface BagFileEntry {
  /** Path under data/. */
  dest: string;
  sha256: string;
  bytes: number;
}

export interface WriteBagOptions {
  /** The clock for Bagging-Date. */
  now?: () => number;
  io?: BagIo;
}

export interface WrittenBag {
  path: string;
  files: number;
  bytes: number;
  payload: BagFileEntry[];
}

/**
 * Writes a BagIt 1.0 bag at `target`, never replacing anything: the bag is assembled in a hidden
 * sibling folder (same file system, so the final rename is atomic), every file and folder is
 * fsynced, and it is renamed into place only when complete. On any failure (a full disk) the
 * partial folder is removed and the error says so; staging is only ever read.
 */
export async function writeBag(
  target: string,
  payload: BagPayload[],
  bagInfo: Record<string, string>,
  options: WriteBagOptions = {},
): Promise<WrittenBag> {
  const io = options.io ?? nodeBagIo;
  const now = options.now ?? Date.now;
  if (await pathExists(target)) throw new FileExistsError(target);
  const seen = new Set<string>();
  for (const item of payload) {
    if (!isSafeBagPath(item.dest))
      throw new Error(`payload path ${JSON.stringify(item.dest)} is not allowed`);
    if (seen.has(item.dest)) throw new Error(`payload path ${item.dest} is given twice`);
    seen.add(item.dest);
  }
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const building = path.join(
    parent,
    `${buildingPrefix(path.basename(target))}${randomBytes(4).toString('hex')}`,
  );
  let step = 'the bag folder';
  try {
    await fs.mkdir(path.join(building, 'data'), { recursive: true });
    const entries: BagFileEntry[] = [];
    const dirs = new Set<string>([path.join(building, 'data')]);
    for (const item of payload) {
      step = `data/${item.dest}`;
      const dest = path.join(building, 'data', ...item.dest.split('/'));
      await fs.mkdir(path.dirname(dest), { recursive: true });
      dirs.add(path.dirname(dest));
      const written =
        'content' in item ? await writeContent(io, dest, item.content) : await placeFile(io, item, dest);
      entries.push({ dest: item.dest, ...written });
    }
    const bytes = entries.reduce((n, e) => n + e.bytes, 0);
    const tagFiles: [string, string][] = [
      ['bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'],
      [
        'bag-info.txt',
        tagLines({
          ...bagInfo,
          'Bagging-Date': new Date(now()).toISOString().slice(0, 10),
          'Payload-Oxum': `${bytes}.${entries.length}`,
        }),
      ],
      ['manifest-sha256.txt', entries.map((e) => `${e.sha256}  data/${encodePath(e.dest)}\n`).join('')],
    ];
    const tagManifest: string[] = [];
    for (const [name, text] of tagFiles) {
      step = name;
      const { sha256 } = await writeContent(io, path.join(building, name), text);
      tagManifest.push(`${sha256}  ${name}\n`);
    }
    step = 'tagmanifest-sha256.txt';
    await writeContent(io, path.join(building, step), tagManifest.join(''));
    step = 'the bag folder';
    // Deepest folders first, so every new entry is durable before the folder holding it.
    for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await fsyncDir(dir);
    await fsyncDir(building);
    step = `the rename to ${target}`;
    if (await pathExists(target)) throw new FileExistsError(target);
    await fs.rename(building, target);
    await fsyncDir(parent);
    return { path: target, files: entries.length, bytes, payload: entries };
  } catch (error) {
    await fs.rm(building, { recursive: true, force: true }).catch(() => {});
    if (error instanceof FileExistsError) throw error;
    throw writeFailure(error, step, target);
  }
}

/** The hidden sibling a bag is assembled in: `.<name>.building-<random>`. */
const buildingPrefix = (name: string) => `.${name}.building-`;

/**
 * Removes the half-built bag folders that a crash (or a failed clean-up) left in `packagesDir`:
 * every one, or only those of one batch. Safe only while no bag is being written there, which
 * the data folder's lock ensures at station start. Returns what it removed.
 */
export async function removeBuildingLeftovers(packagesDir: string, batchId?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(packagesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const leftovers = names
    .filter((n) => {
      const match = /^\.(.+)\.building-[0-9a-f]{8}$/.exec(n);
      return match !== null && (batchId === undefined || match[1] === batchId);
    })
    .map((n) => path.join(packagesDir, n));
  for (const dir of leftovers) await fs.rm(dir, { recursive: true, force: true });
  return leftovers;
}

/**
 * Moves a batch's package that failed the consistency check out of the way, to
 * packages/.rejected/<batch>.<time>: kept (it may hold the only copy of a page the records lost),
 * but no longer the batch's package, so that it is neither transferred nor taken up again as
 * finished by the next packaging attempt, which builds a new one from the staged pages.
 */
export async function setAsideRejectedPackage(
  packagesDir: string,
  batchId: string,
  now: number,
): Promise<string> {
  const rejected = path.join(packagesDir, '.rejected');
  await fs.mkdir(rejected, { recursive: true });
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let target = path.join(rejected, `${batchId}.${stamp}`);
  for (let n = 2; await pathExists(target); n += 1) target = path.join(rejected, `${batchId}.${stamp}-${n}`);
  await fs.rename(path.join(packagesDir, batchId), target);
  await fsyncDir(rejected);
  await fsyncDir(packagesDir);
  return target;
}

async function writeContent(io: BagIo, dest: string, content: string | Uint8Array) {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const file = await io.create(dest);
  try {
    await file.write(data);
    await file.sync();
  } finally {
    await file.close();
  }
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/**
 * A staged file into the bag: hard-linked when possible (staged masters are never modified
 * after capture, and a link costs no space), else copied while hashing. Either way the bytes
 * in the bag are hashed and compared with the SHA-256 recorded at capture.
 */
async function placeFile(io: BagIo, item: { source: string; dest: string; sha256?: string }, dest: string) {
  let sha256: string | null = null;
  if (io.link) {
    try {
      await io.link(item.source, dest);
      sha256 = await sha256File(dest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
      await fs.rm(dest, { force: true });
    }
  }
  if (sha256 === null) {
    const hash = createHash('sha256');
    const file = await io.create(dest);
    try {
      for await (const chunk of readChunks(item.source)) {
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
    } finally {
      await file.close();
    }
    sha256 = hash.digest('hex');
  }
  if (item.sha256 && sha256 !== item.sha256.toLowerCase())
    throw new PackagingError(
      'SOURCE_CHANGED',
      `${item.dest}: SHA-256 ${sha256} differs from the ${item.sha256} recorded at capture`,
    );
  return { sha256, bytes: (await fs.stat(dest)).size };
}

function tagLines(fields: Record<string, string>): string {
  // A value may not span lines unless continued; one line per value is simplest and portable.
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v.replace(/\s*\r?\n\s*/g, ' ')}\n`)
    .join('');
}

/** Relative, forward slashes, no `.`/`..`/empty segments. */
function isSafeBagPath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** BagIt 1.0 percent-encodes CR, LF and % in manifest paths. */
export function encodePath(p: string): string {
  return p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
