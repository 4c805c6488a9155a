import type { DiskOutlook, ShiftSummary, ThroughputSeries } from '../../shared/contract/index';
import type { Db } from '../storage/index';

/**
 * Read-only reports over the batch ledger (batches and their pages), for a shift: nothing here
 * writes. Pages count where they were captured (batch_pages.captured_at), batches where they
 * were started, quarantines where they happened, so a shift that straddles a batch counts each
 * page once, in the shift that captured it.
 */
export function shiftSummary(db: Db, window: { from: string; to: string }): ShiftSummary {
  const from = new Date(window.from).toISOString();
  const to = new Date(window.to).toISOString();
  const rows = new Map<string, ShiftSummary['rows'][number]>();
  const row = (operator: string, device: string) => {
    const key = `${operator}\u0000${device}`;
    let found = rows.get(key);
    if (!found) rows.set(key, (found = { operator, device, pages: 0, batches: 0, quarantined: 0 }));
    return found;
  };
  const pages = db
    .prepare(
      `SELECT b.operator AS operator, b.device AS device, COUNT(*) AS n
         FROM batch_pages p JOIN batches b ON b.id = p.batch_id
        WHERE p.captured_at >= ? AND p.captured_at < ?
        GROUP BY b.operator, b.device`,
    )
    .all(from, to) as { operator: string; device: string; n: number }[];
  for (const p of pages) row(p.operator, p.device).pages = p.n;
  const started = db
    .prepare(
      `SELECT operator, device, COUNT(*) AS n FROM batches
        WHERE created_at >= ? AND created_at < ? GROUP BY operator, device`,
    )
    .all(from, to) as { operator: string; device: string; n: number }[];
  for (const b of started) row(b.operator, b.device).batches = b.n;
  const quarantined = db
    .prepare(
      `SELECT operator, device, COALESCE(json_extract(quarantine_json, '$.reason'), last_error, 'no reason') AS reason
         FROM batches WHERE quarantined_at >= ? AND quarantined_at < ?`,
    )
    .all(from, to) as { operator: string; device: string; reason: string }[];
  const reasons = new Map<string, { device: string; reason: string; count: number }>();
  for (const q of quarantined) {
    row(q.operator, q.device).quarantined += 1;
    const key = `${q.device}\u0000${q.reason}`;
    const group = reasons.get(key) ?? { device: q.device, reason: q.reason, count: 0 };
    group.count += 1;
    reasons.set(key, group);
  }
  const list = [...rows.values()].sort(
    (a, b) => a.operator.localeCompare(b.operator) || a.device.localeCompare(b.device),
  );
  return {
    from,
    to,
    rows: list,
    quarantines: [...reasons.values()].sort((a, b) => b.count - a.count || a.device.localeCompare(b.device)),
    totals: {
      pages: list.reduce((n, r) => n + r.pages, 0),
      batches: list.reduce((n, r) => n + r.batches, 0),
      quarantined: quarantined.length,
    },
  };
}

/** Pages per hour per scanner in fixed buckets over the last `hours`, empty buckets included. */
export function throughput(db: Db, now: number, hours: number, bucketMinutes = 15): ThroughputSeries {
  const bucketMs = bucketMinutes * 60_000;
  const end = Math.ceil(now / bucketMs) * bucketMs;
  const start = end - hours * 3_600_000;
  const captured = db
    .prepare(
      `SELECT b.device AS device, p.captured_at AS at
         FROM batch_pages p JOIN batches b ON b.id = p.batch_id
        WHERE p.captured_at >= ? AND p.captured_at < ?`,
    )
    .all(new Date(start).toISOString(), new Date(end).toISOString()) as { device: string; at: string }[];
  const buckets = Math.round((end - start) / bucketMs);
  const counts = new Map<string, number[]>();
  for (const { device, at } of captured) {
    const index = Math.floor((Date.parse(at) - start) / bucketMs);
    if (index < 0 || index >= buckets) continue;
    let series = counts.get(device);
    if (!series) counts.set(device, (series = new Array<number>(buckets).fill(0)));
    series[index]! += 1;
  }
  const perHour = 60 / bucketMinutes;
  return {
    bucketMinutes,
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    devices: [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([device, series]) => ({
        device,
        points: series.map((n, i) => ({
          at: new Date(start + i * bucketMs).toISOString(),
          pagesPerHour: n * perHour,
        })),
      })),
  };
}

/** Bytes of masters captured in the hour before `now`: the current rate of scanning. */
export function bytesCapturedLastHour(db: Db, now: number): number {
  const row = db
    .prepare('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM batch_pages WHERE captured_at >= ?')
    .get(new Date(now - 3_600_000).toISOString()) as { bytes: number };
  return row.bytes;
}

/**
 * Whether the free space is running out: fewer than `warningHours` of scanning left at the
 * current rate, or the disk already low or full. Derivatives and packages roughly double what
 * masters take, so the rate counts masters twice rather than promising too much.
 */
export function diskOutlook(input: {
  freeBytes: number;
  totalBytes: number;
  mastersPerHour: number;
  warningHours: number;
  lowSpace: boolean;
  diskFull: boolean;
}): DiskOutlook {
  const bytesPerHour = input.mastersPerHour * 2;
  const hoursLeft = bytesPerHour > 0 ? input.freeBytes / bytesPerHour : null;
  return {
    freeBytes: input.freeBytes,
    totalBytes: input.totalBytes,
    bytesPerHour,
    hoursLeft,
    warningHours: input.warningHours,
    warn: input.diskFull || input.lowSpace || (hoursLeft !== null && hoursLeft < input.warningHours),
    diskFull: input.diskFull,
  };
}
