import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bytesCapturedLastHour,
  diskOutlook,
  shiftSummary,
  throughput,
} from '../../../electron/reports/shift-report';
import type { Station } from '../../../electron/station';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

describe('the shift summary, throughput and disk outlook', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 2, runWorkers: true, simulatorSheets: 50 }));
  });
  afterEach(async () => dispose());

  it('counts pages and batches per operator and scanner, and groups quarantines by reason', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    station.devices.injectFault('sim-2', { kind: 'corruptChecksum', page: 2 });
    await station.pipeline.create(
      exampleManifest({ batch_id: 'S-1', device: 'sim-1', operator: 'omar' }),
      null,
    );
    await station.pipeline.create(
      exampleManifest({
        batch_id: 'S-2',
        device: 'sim-2',
        operator: 'nell',
        expected_pages: 3,
        file_count: 3,
      }),
      null,
    );
    const [one, two] = await Promise.all([untilBatch(station, 'S-1'), untilBatch(station, 'S-2')]);
    expect(one.stage).toBe('completed');
    expect(two.stage).toBe('quarantined');
    const after = new Date(Date.now() + 1000).toISOString();

    const summary = shiftSummary(station.db, { from: before, to: after });
    expect(summary.rows).toEqual([
      { operator: 'nell', device: 'sim-2', pages: expect.any(Number), batches: 1, quarantined: 1 },
      { operator: 'omar', device: 'sim-1', pages: 4, batches: 1, quarantined: 0 },
    ]);
    expect(summary.quarantines).toEqual([
      { device: 'sim-2', reason: expect.stringMatching(/checksum/i), count: 1 },
    ]);
    expect(summary.totals).toMatchObject({ batches: 2, quarantined: 1 });

    // A window before the shift holds nothing.
    const earlier = shiftSummary(station.db, { from: '2020-01-01T00:00:00Z', to: before });
    expect(earlier.totals).toEqual({ pages: 0, batches: 0, quarantined: 0 });

    const series = throughput(station.db, Date.now(), 2);
    const sim1 = series.devices.find((d) => d.device === 'sim-1')!;
    // 4 pages in one 15-minute bucket are 16 pages per hour.
    expect(sim1.points.reduce((n, p) => n + p.pagesPerHour, 0)).toBe(16);
    expect(sim1.points).toHaveLength(8);
    expect(bytesCapturedLastHour(station.db, Date.now())).toBeGreaterThan(0);
  });

  it('warns when fewer hours of scanning than the threshold fit on the disk', () => {
    const gb = 1024 ** 3;
    const base = { totalBytes: 100 * gb, warningHours: 2, lowSpace: false, diskFull: false };
    expect(diskOutlook({ ...base, freeBytes: 50 * gb, mastersPerHour: 0 })).toMatchObject({
      hoursLeft: null,
      warn: false,
    });
    // Masters at 10 GB/h count twice (derivatives and packages): 20 GB/h; 30 GB last 1.5 h.
    expect(diskOutlook({ ...base, freeBytes: 30 * gb, mastersPerHour: 10 * gb })).toMatchObject({
      hoursLeft: 1.5,
      warn: true,
    });
    expect(diskOutlook({ ...base, freeBytes: 90 * gb, mastersPerHour: 10 * gb }).warn).toBe(false);
    expect(diskOutlook({ ...base, freeBytes: 90 * gb, mastersPerHour: 0, diskFull: true }).warn).toBe(true);
  });
});
