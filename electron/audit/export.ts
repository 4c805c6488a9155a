import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AuditEvent, AuditExportResult } from '../../shared/contract/index';
import { commitPartFile, PART_SUFFIX } from '../storage/index';
import { PremisStreamWriter } from './premis-xml';

/** Where the events come from: pages of the log, read between writes (never a long-held cursor). */
export interface PremisExportSource {
  objects(): Iterable<string>;
  /** The next page of events after `afterSeq`, in sequence order; empty when done. */
  page(afterSeq: number): AuditEvent[];
}

/**
 * Streams a PREMIS document to `outPath` atomically: written to a `.part` file page by page,
 * fsynced, then linked into place without ever replacing an existing file. A failed write (a
 * full disk) leaves no partial export under the final name.
 */
export async function writePremisExport(
  source: PremisExportSource,
  outPath: string,
): Promise<AuditExportResult> {
  await fs.mkdir(path.dirname(outPath), { recursive: true });
  const part = `${outPath}.${randomBytes(4).toString('hex')}${PART_SUFFIX}`;
  const handle = await fs.open(part, 'wx');
  const hash = createHash('sha256');
  let pending: string[] = [];
  let bytes = 0;
  let events = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    hash.update(buf);
    bytes += buf.length;
    await handle.write(buf);
  };
  try {
    const writer = new PremisStreamWriter((chunk) => pending.push(chunk));
    writer.objects(source.objects());
    await flush();
    let after = 0;
    for (;;) {
      const page = source.page(after);
      if (page.length === 0) break;
      writer.events(page);
      events += page.length;
      after = page[page.length - 1]!.seq;
      await flush();
    }
    writer.end();
    await flush();
    await handle.sync();
    await handle.close();
    await commitPartFile(part, outPath, { noOverwrite: true });
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(part, { force: true });
    throw error;
  }
  return { path: outPath, events, bytes, sha256: hash.digest('hex') };
}
