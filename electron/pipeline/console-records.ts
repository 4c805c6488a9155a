import type { BatchDetail, BatchSummary } from '../../shared/contract/index';
import type { Logger } from '../core/logger';
import { unavailable } from '../core/station-error';
import type { BatchList, BatchListFilter, BatchRecords, QuarantinedBatch } from '../records/batch-records';

/** What the console reads about batches: the list, one batch, the quarantine. */
export type ConsoleRecords = Pick<BatchRecords, 'list' | 'summary' | 'detail' | 'quarantined'>;

export interface LabView {
  station: string;
  /** Every station's batches (the lab's records). */
  records: ConsoleRecords;
}

/**
 * The batches a console shows. Alone, this station's records. In a lab, every station's,
 * from the lab's records — except that a batch this station holds is always read from its own
 * records, which are never behind. When the lab's records cannot be read, the console still
 * shows this station's batches (and the lab's state says why the others are missing).
 */
export function consoleRecords(own: ConsoleRecords, lab: LabView | null, logger: Logger): ConsoleRecords {
  if (!lab) return own;
  const mine = <T extends BatchSummary>(batch: T): T => ({ ...batch, station: lab.station });
  const orOwn = async <T>(read: () => Promise<T>, fallback: () => Promise<T>, what: string): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      logger.warn(
        { err: (error as Error).message },
        `the lab's records could not be read (${what}); showing this station's`,
      );
      return fallback();
    }
  };
  /** Another station's batch can only be read from the lab's records: say so when they are away. */
  const labRead = async <T>(read: () => Promise<T>, id: string): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw unavailable(
        `batch ${id} is not held by this station and the lab database is unreachable (${(error as Error).message}); try again when it is back`,
      );
    }
  };
  return {
    async list(filter: BatchListFilter): Promise<BatchList> {
      return orOwn(
        () => lab.records.list(filter),
        async () => {
          const list = await own.list(filter);
          return { ...list, items: list.items.map(mine) };
        },
        'list',
      );
    },
    async summary(id: string): Promise<BatchSummary | null> {
      const held = await own.summary(id);
      return held ? mine(held) : labRead(() => lab.records.summary(id), id);
    },
    async detail(id: string): Promise<BatchDetail | null> {
      const held = await own.detail(id);
      return held ? mine(held) : labRead(() => lab.records.detail(id), id);
    },
    async quarantined(): Promise<QuarantinedBatch[]> {
      return orOwn(
        () => lab.records.quarantined(),
        async () => (await own.quarantined()).map(mine),
        'quarantine',
      );
    },
  };
}
