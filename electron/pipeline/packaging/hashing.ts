import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const CHUNK = 1024 * 1024;

/** Hashes a file as a stream: a master of several hundred megabytes is never held in memory. */
export async function hashFile(file: string, algorithms: readonly string[] = ['sha256']): Promise<string[]> {
  const hashes = algorithms.map((a) => createHash(a));
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK }))
    for (const h of hashes) h.update(chunk as Buffer);
  return hashes.map((h) => h.digest('hex'));
}

export async function sha256File(file: string): Promise<string> {
  return (await hashFile(file))[0]!;
}

/** Reads a file in chunks for a copy that hashes as it goes. */
export function readChunks(file: string): AsyncIterable<Buffer> {
  return createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>;
}
