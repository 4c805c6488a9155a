import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { SourceFile, UploadIo } from './destination';
import type { FileProgress } from './progress-store';

/**
 * Bytes per read and write request: 255 KiB, the most OpenSSH's sftp-server accepts in one
 * (limits@openssh.com: 261120). A 256 KiB chunk went out as two requests, 255 KiB and then,
 * only once that one was answered, 1 KiB: twice the requests and a round trip per chunk.
 */
export const CHUNK = 255 * 1024;
/** Progress is written to the database at most this often, in bytes. */
const SAVE_EVERY = 8 * 1024 * 1024;

/** Positional writes to a file being uploaded, possibly several in flight at once. */
export interface ByteWriter {
  /** `chunk` is the caller's again once the promise settles: it is read into anew. */
  write(chunk: Buffer, position: number): Promise<void>;
  /** Flushes to stable storage (fsync) and closes. */
  close(): Promise<void>;
  /** Closes without flushing, after an error. */
  abort(): Promise<void>;
}

/** What a byte destination (a folder, SFTP) offers to upload files resumably. */
export interface ByteStore {
  /** Size of the partial (temporary-name) file, or null when there is none. */
  partialSize(rel: string): Promise<number | null>;
  /** Reads the partial file from the start, up to `length` bytes. */
  readPartial(rel: string, length: number): AsyncIterable<Buffer>;
  /** Opens the partial file for writing, truncated to `keep` bytes (created when missing). */
  openPartial(rel: string, keep: number): Promise<ByteWriter>;
  /** Renames the flushed partial file to its final name. */
  commit(rel: string): Promise<void>;
  /** Size of the final file, or null. */
  size(rel: string): Promise<number | null>;
  /** How many positional writes may be in flight at once. */
  readonly parallelWrites: number;
}

/** Yields `length` bytes of a source in CHUNK pieces from `start`. */
function readSource(file: string, start: number, end?: number): AsyncIterable<Buffer> {
  if (end !== undefined && end <= start) return (async function* () {})();
  return createReadStream(file, {
    start,
    ...(end !== undefined ? { end: end - 1 } : {}),
    highWaterMark: CHUNK,
  }) as AsyncIterable<Buffer>;
}

/** Re-chunks a stream so that pieces align with `size`-byte blocks. */
async function* blocks(stream: AsyncIterable<Buffer>, size: number): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  let have = 0;
  for await (const chunk of stream) {
    // Pieces that already come `size` long (the usual case) pass through without a copy.
    if (have === 0 && chunk.length === size) {
      yield chunk;
      continue;
    }
    pending.push(chunk);
    have += chunk.length;
    while (have >= size) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, size);
      const rest = all.subarray(size);
      pending = rest.length > 0 ? [rest] : [];
      have -= size;
    }
  }
  if (have > 0) yield Buffer.concat(pending);
}

/**
 * How many leading bytes of the partial file match the source, compared block by block. The
 * destination is read back rather than trusted: a crash can leave a longer file than the last
 * saved progress, or a hole where an in-flight write never landed.
 */
async function intactPrefix(
  store: ByteStore,
  file: SourceFile,
  present: number,
  io: UploadIo,
): Promise<number> {
  const source = blocks(readSource(file.path, 0, present), CHUNK)[Symbol.asyncIterator]();
  let good = 0;
  for await (const theirs of blocks(store.readPartial(file.rel, present), CHUNK)) {
    await io.throttle(theirs.length);
    const ours = await source.next();
    if (ours.done || !ours.value.equals(theirs)) break;
    good += theirs.length;
  }
  await source.return?.();
  return good;
}

/**
 * Uploads one file to a byte store: skips it when already committed at its full size, else
 * keeps the intact prefix of the partial file and appends the rest, then flushes and renames it
 * into place. Only bytes acknowledged in order count as progress.
 */
export async function putBytes(
  store: ByteStore,
  file: SourceFile,
  progress: FileProgress,
  io: UploadIo,
): Promise<void> {
  if (progress.state === 'committed' && (await store.size(file.rel)) === file.size) {
    io.skipped(file.size);
    return;
  }
  const present = await store.partialSize(file.rel);
  const keep = present && present <= file.size ? await intactPrefix(store, file, present, io) : 0;
  io.skipped(keep);
  const writer = await store.openPartial(file.rel, keep);
  let acked = keep;
  let savedAt = keep;
  // Writes complete out of order; `acked` moves only over a contiguous run of completed ones.
  const done = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  // Read buffers go back here once their write has settled and are read into again. A fresh
  // buffer per chunk often outlives two young-generation collections while its write is in
  // flight and is then freed only by a full one: every gigabyte sent was a gigabyte more of
  // old garbage, and full collections came some 200 times a gigabyte (with ssh2's own copies).
  const spare: Buffer[] = [];
  let failure: unknown = null;
  let source: FileHandle | null = null;
  try {
    source = await open(file.path, 'r');
    let position = keep;
    while (position < file.size && !failure) {
      const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(Math.min(CHUNK, file.size - keep));
      const want = Math.min(buffer.length, file.size - position);
      const { bytesRead } = await source.read(buffer, 0, want, position);
      if (bytesRead === 0) break;
      const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      await io.throttle(chunk.length);
      const at = position;
      position += chunk.length;
      const write: Promise<void> = writer.write(chunk, at).then(
        () => {
          inFlight.delete(write);
          spare.push(buffer);
          done.set(at, chunk.length);
          while (done.has(acked)) {
            const n = done.get(acked)!;
            done.delete(acked);
            acked += n;
            io.sent(n);
          }
          if (acked - savedAt >= SAVE_EVERY) {
            savedAt = acked;
            io.saveBytes(acked);
          }
        },
        (error: unknown) => {
          inFlight.delete(write);
          failure ??= error;
        },
      );
      inFlight.add(write);
      if (inFlight.size >= store.parallelWrites) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    if (position !== file.size || acked !== file.size)
      throw new Error(
        `${file.rel} changed size while it was being sent (${position} of ${file.size} bytes read)`,
      );
  } catch (error) {
    await Promise.allSettled(inFlight);
    io.saveBytes(acked);
    await writer.abort().catch(() => undefined);
    throw error;
  } finally {
    await source?.close();
  }
  io.sentAll?.();
  await writer.close();
  io.saveBytes(acked);
  await store.commit(file.rel);
}
