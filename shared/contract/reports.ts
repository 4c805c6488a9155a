import { z } from 'zod';
import { command } from './define';

const IsoTime = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'Enter a date and time');

export const ShiftSummary = z.object({
  from: z.string(),
  to: z.string(),
  /** Pages captured and batches started, per person and scanner. */
  rows: z.array(
    z.object({
      operator: z.string(),
      device: z.string(),
      pages: z.number().int().nonnegative(),
      batches: z.number().int().nonnegative(),
      quarantined: z.number().int().nonnegative(),
    }),
  ),
  /** Quarantines in the shift, grouped by scanner and reason. */
  quarantines: z.array(
    z.object({ device: z.string(), reason: z.string(), count: z.number().int().positive() }),
  ),
  totals: z.object({
    pages: z.number().int().nonnegative(),
    batches: z.number().int().nonnegative(),
    quarantined: z.number().int().nonnegative(),
  }),
});
export type ShiftSummary = z.infer<typeof ShiftSummary>;

export const ThroughputSeries = z.object({
  bucketMinutes: z.number().int().positive(),
  from: z.string(),
  to: z.string(),
  /** Pages per hour per scanner, one point per bucket (empty buckets are 0). */
  devices: z.array(
    z.object({
      device: z.string(),
      points: z.array(z.object({ at: z.string(), pagesPerHour: z.number().nonnegative() })),
    }),
  ),
});
export type ThroughputSeries = z.infer<typeof ThroughputSeries>;

export const DiskOutlook = z.object({
  freeBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  /** Bytes of masters written in the last hour (the current rate of scanning). */
  bytesPerHour: z.number().nonnegative(),
  /** How long the free space lasts at that rate; null while nothing is being scanned. */
  hoursLeft: z.number().nonnegative().nullable(),
  warningHours: z.number().positive(),
  /** Below the warning threshold (or the disk is low or full). */
  warn: z.boolean(),
  diskFull: z.boolean(),
});
export type DiskOutlook = z.infer<typeof DiskOutlook>;

export const reportsCommands = {
  'reports.shiftSummary': command({
    input: z.object({ from: IsoTime, to: IsoTime }).strict(),
    output: ShiftSummary,
    access: 'operator',
    summary:
      'Pages and batches per operator and scanner, and quarantines with their reasons, in a time window.',
  }),
  'reports.throughput': command({
    input: z.object({ hours: z.number().int().min(1).max(48).default(8) }).strict(),
    output: ThroughputSeries,
    access: 'operator',
    summary: 'Pages per hour per scanner over the last hours, for the throughput chart.',
  }),
  'reports.diskOutlook': command({
    input: z.object({}).strict(),
    output: DiskOutlook,
    access: 'operator',
    summary: 'Free space in the data folder and how many hours of scanning it holds at the current rate.',
  }),
};

export const reportsEvents = {};
