import type { MasterFormat } from '../device';

/** Bytes enough to tell the formats below apart. */
export const SNIFF_BYTES = 8;

/**
 * The format the bytes really are, from their signature: a master keeps the extension of what
 * the scanner sent, whatever its Content-Type header claims.
 */
export function sniffFormat(head: Buffer): MasterFormat | null {
  if (head.length >= 4) {
    if (
      (head[0] === 0x49 && head[1] === 0x49 && (head[2] === 0x2a || head[2] === 0x2b) && head[3] === 0x00) ||
      (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0x00 && (head[3] === 0x2a || head[3] === 0x2b))
    )
      return 'tiff';
    if (head.subarray(0, 4).toString('latin1') === '%PDF') return 'pdf';
  }
  if (
    head.length >= 8 &&
    head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return null;
}
