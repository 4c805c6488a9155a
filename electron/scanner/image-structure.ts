import { crc32 } from 'node:zlib';
import type { promises as fs } from 'node:fs';
import type { MasterFormat } from './master-format';

/**
 * Checks that a page's file is a whole image of its format before it may take a final name:
 * a TIFF's IFD chain and every strip or tile lie within the file; a PNG's chunks run, CRC by
 * CRC, to IEND; a JPEG runs from SOI through its segments to EOI; a PDF has its header and its
 * %%EOF trailer. The file is read through its handle in small pieces, never held in memory.
 * This is a structure check, not a decode: QC decodes every pixel later.
 */

export class ImageStructureError extends Error {
  override readonly name = 'ImageStructureError';
  constructor(
    readonly format: MasterFormat | null,
    readonly reason: string,
  ) {
    super(format ? `not a whole ${format.toUpperCase()} image: ${reason}` : reason);
  }
}

type Handle = Pick<fs.FileHandle, 'read'>;

/** Reads exactly `length` bytes at `position`, or throws naming what is missing. */
async function readAt(handle: Handle, size: number, position: number, length: number, what: string) {
  if (position < 0 || length < 0 || position + length > size)
    throw new Error(
      `${what} at byte ${position} (+${length}) lies beyond the end of the file (${size} bytes)`,
    );
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`${what}: the file ended early`);
    done += bytesRead;
  }
  return buffer;
}

/** The format the first bytes say the file is, or null. */
export function sniffFormat(head: Buffer): MasterFormat | null {
  if (head.length >= 4 && (head.subarray(0, 4).equals(TIFF_LE) || head.subarray(0, 4).equals(TIFF_BE)))
    return 'tiff';
  if (head.length >= 4 && (head.subarray(0, 4).equals(BIGTIFF_LE) || head.subarray(0, 4).equals(BIGTIFF_BE)))
    return 'tiff';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.includes(PDF_HEADER)) return 'pdf';
  return null;
}

const TIFF_LE = Buffer.from([0x49, 0x49, 0x2a, 0x00]);
const TIFF_BE = Buffer.from([0x4d, 0x4d, 0x00, 0x2a]);
const BIGTIFF_LE = Buffer.from([0x49, 0x49, 0x2b, 0x00]);
const BIGTIFF_BE = Buffer.from([0x4d, 0x4d, 0x00, 0x2b]);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PDF_HEADER = Buffer.from('%PDF-');
const HEAD_BYTES = 1024;

/**
 * Identifies the file's real format from its bytes and checks its structure; returns the
 * format. Throws ImageStructureError when the file is no image Quire keeps, or not a whole one.
 */
export async function checkImageStructure(handle: Handle, size: number): Promise<MasterFormat> {
  const head = await readAt(handle, size, 0, Math.min(HEAD_BYTES, size), 'header').catch(() =>
    Buffer.alloc(0),
  );
  const format = sniffFormat(head);
  if (!format)
    throw new ImageStructureError(null, 'the bytes are no TIFF, PNG, JPEG or PDF image (unknown header)');
  try {
    if (format === 'tiff') await checkTiff(handle, size);
    else if (format === 'png') await checkPng(handle, size);
    else if (format === 'jpeg') await checkJpeg(handle, size);
    else await checkPdf(handle, size, head);
  } catch (error) {
    if (error instanceof ImageStructureError) throw error;
    throw new ImageStructureError(format, (error as Error).message);
  }
  return format;
}

const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};
const STRIP_OFFSETS = 273;
const STRIP_BYTE_COUNTS = 279;
const TILE_OFFSETS = 324;
const TILE_BYTE_COUNTS = 325;
const MAX_IFDS = 100_000;

async function checkTiff(handle: Handle, size: number): Promise<void> {
  const header = await readAt(handle, size, 0, 16 > size ? 8 : 16, 'TIFF header');
  const little = header[0] === 0x49;
  const big = (little ? header.readUInt16LE(2) : header.readUInt16BE(2)) === 43;
  const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const offsetSize = big ? 8 : 4;
  const readOffset = (b: Buffer, o: number) => (big ? u64(b, o) : u32(b, o));
  let ifd = big ? u64(header, 8) : u32(header, 4);
  if (ifd === 0) throw new Error('the header points to no image directory');
  const seen = new Set<number>();
  let images = 0;
  while (ifd !== 0) {
    if (seen.has(ifd)) throw new Error(`the image directory chain loops back to byte ${ifd}`);
    if (seen.size >= MAX_IFDS) throw new Error(`more than ${MAX_IFDS} image directories`);
    seen.add(ifd);
    const countBytes = big ? 8 : 2;
    const entrySize = big ? 20 : 12;
    const countBuf = await readAt(handle, size, ifd, countBytes, 'image directory');
    const entries = big ? u64(countBuf, 0) : u16(countBuf, 0);
    const body = await readAt(
      handle,
      size,
      ifd + countBytes,
      entries * entrySize + offsetSize,
      `image directory of ${entries} entries`,
    );
    const arrays = new Map<number, number[]>();
    for (let i = 0; i < entries; i++) {
      const at = i * entrySize;
      const tag = u16(body, at);
      const type = u16(body, at + 2);
      const count = big ? u64(body, at + 4) : u32(body, at + 4);
      const valueAt = at + (big ? 12 : 8);
      const typeSize = TYPE_SIZES[type];
      if (!typeSize) continue; // an unknown type: its value cannot be located, and Quire needs none
      const bytes = typeSize * count;
      const inline = bytes <= offsetSize;
      const location = inline ? -1 : readOffset(body, valueAt);
      if (!inline && location + bytes > size)
        throw new Error(
          `tag ${tag}'s ${bytes} value bytes at byte ${location} lie beyond the end of the file`,
        );
      if (![STRIP_OFFSETS, STRIP_BYTE_COUNTS, TILE_OFFSETS, TILE_BYTE_COUNTS].includes(tag)) continue;
      const raw = inline
        ? body.subarray(valueAt, valueAt + bytes)
        : await readAt(handle, size, location, bytes, `tag ${tag}`);
      const values: number[] = [];
      for (let k = 0; k < count; k++) {
        const o = k * typeSize;
        values.push(typeSize === 2 ? u16(raw, o) : typeSize === 4 ? u32(raw, o) : u64(raw, o));
      }
      arrays.set(tag, values);
    }
    const tiled = arrays.has(TILE_OFFSETS);
    const offsets = arrays.get(tiled ? TILE_OFFSETS : STRIP_OFFSETS);
    const counts = arrays.get(tiled ? TILE_BYTE_COUNTS : STRIP_BYTE_COUNTS);
    const kind = tiled ? 'tile' : 'strip';
    if (!offsets || !counts) throw new Error(`image ${images + 1} has no ${kind} offsets or byte counts`);
    if (offsets.length !== counts.length)
      throw new Error(
        `image ${images + 1} lists ${offsets.length} ${kind} offsets but ${counts.length} byte counts`,
      );
    offsets.forEach((offset, k) => {
      if (offset + counts[k]! > size)
        throw new Error(
          `${kind} ${k} of image ${images + 1} (byte ${offset}, ${counts[k]} bytes) lies beyond the end of the file (${size} bytes): truncated`,
        );
    });
    images += 1;
    ifd = readOffset(body, entries * entrySize);
  }
}

async function checkPng(handle: Handle, size: number): Promise<void> {
  let at = 8;
  let first = true;
  const CHUNK_PIECE = 1024 * 1024;
  for (;;) {
    const head = await readAt(handle, size, at, 8, 'chunk header');
    const length = head.readUInt32BE(0);
    const type = head.subarray(4, 8);
    const name = type.toString('latin1');
    if (!/^[A-Za-z]{4}$/.test(name)) throw new Error(`a chunk at byte ${at} has no valid type`);
    if (first && name !== 'IHDR') throw new Error(`the first chunk is ${name}, not IHDR`);
    first = false;
    if (at + 12 + length > size)
      throw new Error(
        `chunk ${name} at byte ${at} (${length} bytes) runs past the end of the file: truncated`,
      );
    let crc = crc32(type);
    for (let done = 0; done < length; done += CHUNK_PIECE) {
      const piece = Math.min(CHUNK_PIECE, length - done);
      crc = crc32(await readAt(handle, size, at + 8 + done, piece, `chunk ${name}`), crc);
    }
    const stored = (await readAt(handle, size, at + 8 + length, 4, `chunk ${name} CRC`)).readUInt32BE(0);
    if (stored !== crc) throw new Error(`chunk ${name} at byte ${at} fails its CRC`);
    at += 12 + length;
    if (name === 'IEND') return;
  }
}

async function checkJpeg(handle: Handle, size: number): Promise<void> {
  let at = 2; // after SOI
  for (;;) {
    const marker = await readAt(handle, size, at, 2, 'segment marker');
    if (marker[0] !== 0xff) throw new Error(`no segment marker at byte ${at}`);
    const code = marker[1]!;
    if (code === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (code === 0xd9) return; // EOI before any scan: a (strange) whole file
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (await readAt(handle, size, at + 2, 2, 'segment length')).readUInt16BE(0);
    if (length < 2) throw new Error(`segment 0x${code.toString(16)} at byte ${at} has length ${length}`);
    if (at + 2 + length > size)
      throw new Error(`segment 0x${code.toString(16)} at byte ${at} runs past the end: truncated`);
    at += 2 + length;
    if (code === 0xda) break; // start of scan: entropy-coded data follows until EOI
  }
  // The scan data runs to EOI; scanners may pad after it with zeros.
  const tailLength = Math.min(size - at, 4096);
  const tail = await readAt(handle, size, size - tailLength, tailLength, 'end of file');
  let end = tail.length;
  while (end > 0 && tail[end - 1] === 0x00) end -= 1;
  if (end < 2 || tail[end - 2] !== 0xff || tail[end - 1] !== 0xd9)
    throw new Error('the file does not end with EOI (FF D9): truncated');
}

async function checkPdf(handle: Handle, size: number, head: Buffer): Promise<void> {
  const start = head.indexOf(PDF_HEADER);
  if (start < 0) throw new Error('no %PDF- header');
  const tailLength = Math.min(size, 1024);
  const tail = (await readAt(handle, size, size - tailLength, tailLength, 'trailer')).toString('latin1');
  if (!/%%EOF[\r\n\s\0]*$/.test(tail)) throw new Error('no %%EOF trailer at the end of the file: truncated');
}
