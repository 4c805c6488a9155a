import { promises as fs } from 'node:fs';
import type { StoredAsset } from '../../../shared/contract/index';
import { commitPartFile, FileExistsError, PART_SUFFIX, pathExists } from '../../storage/index';
import { lidoObjectFromCatalog, lidoProblems } from './lido-object';
import { LIDO_NS, LIDO_SCHEMA_LOCATION, lidoFragment } from './lido-xml';

export interface LidoExportOptions {
  /** The contributing organisation: lidoRecID source, repository and record source. */
  organization: string;
  /** YYYY-MM-DD: embargoes end on this day or before. */
  today: string;
}

export interface LidoExportResult {
  out: string;
  written: number;
  bytes: number;
  /** Records that cannot make valid LIDO: named with why, and not in the file. */
  leftOut: { id: string; reasons: string[] }[];
  /** Ids asked for that the station's catalog does not hold. */
  notInCatalog: string[];
}

/** What the export reads: a record by id (null: not in the catalog), in the order to write. */
export type LidoExportSource = AsyncIterable<{ id: string; record: StoredAsset | null }>;

const FLUSH_AT = 256 * 1024;

/**
 * Writes a LIDO wrap of catalog records to `out`, one record at a time: memory stays bounded
 * whatever the count. The file is built under `.part`, fsynced and only then named, and never
 * replaces an existing file. A record that cannot make valid LIDO is left out and reported.
 */
export async function exportLido(
  source: LidoExportSource,
  out: string,
  options: LidoExportOptions,
): Promise<LidoExportResult> {
  if (await pathExists(out)) throw new FileExistsError(out);
  const part = out + PART_SUFFIX;
  const handle = await fs.open(part, 'wx');
  const result: LidoExportResult = { out, written: 0, bytes: 0, leftOut: [], notInCatalog: [] };
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    const chunk = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingLength = 0;
    await handle.write(chunk);
    result.bytes += chunk.length;
  };
  const write = async (text: string) => {
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= FLUSH_AT) await flush();
  };
  try {
    await write(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<lido:lidoWrap xmlns:lido="${LIDO_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
        ` xsi:schemaLocation="${LIDO_NS} ${LIDO_SCHEMA_LOCATION}">\n`,
    );
    for await (const { id, record } of source) {
      if (!record) {
        result.notInCatalog.push(id);
        continue;
      }
      const object = lidoObjectFromCatalog(record, {
        source: options.organization,
        repository: options.organization,
        today: options.today,
      });
      const reasons = lidoProblems(object);
      if (reasons.length > 0) {
        result.leftOut.push({ id, reasons });
        continue;
      }
      await write(lidoFragment(object) + '\n');
      result.written += 1;
    }
    await write('</lido:lidoWrap>\n');
    await flush();
    await handle.sync();
    await handle.close();
    await commitPartFile(part, out, { noOverwrite: true });
    return result;
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(part, { force: true });
    throw error;
  }
}

/** Every record of the catalog, in accession-number order. */
export async function* allRecords(
  records: AsyncIterable<StoredAsset>,
): AsyncGenerator<{ id: string; record: StoredAsset }> {
  for await (const record of records) yield { id: record.accession_number, record };
}

/** The records named by ids (e.g. from a file), each looked up as it comes. */
export async function* recordsByIds(
  ids: AsyncIterable<string>,
  get: (id: string) => Promise<StoredAsset | null>,
): AsyncGenerator<{ id: string; record: StoredAsset | null }> {
  for await (const id of ids) yield { id, record: await get(id) };
}
