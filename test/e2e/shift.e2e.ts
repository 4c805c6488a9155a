import { readFileSync } from 'node:fs';
import { exampleManifest } from '../helpers/manifest';
import { untilBatch } from '../helpers/station';
import { expect, test } from './support/fixtures';

test.describe('what an operator needs on a shift', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('disk space on every view; the shift summary prints and exports as CSV; throughput per scanner', async ({
    page,
    quire,
  }) => {
    quire.station.pipeline.create(exampleManifest({ batch_id: 'SH-1', operator: 'omar' }), null);
    expect((await untilBatch(quire.station, 'SH-1')).stage).toBe('completed');
    await quire.signInAs('operator');
    for (const name of ['Devices', 'Queue', 'Quarantine', 'Shift', 'Audit', 'Settings']) {
      await page.getByRole('button', { name, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(page.getByTestId('disk-space')).toContainText(
        /Disk: \d+\.\d GB free, about .* of scanning/,
      );
    }

    await page.getByRole('button', { name: 'Shift', exact: true }).click();
    await expect(page.getByTestId('shift-totals')).toContainText(
      '4 pages in 1 batches started; 0 quarantined',
    );
    const table = page.getByRole('table', { name: 'Work by operator and scanner' });
    await expect(table.getByRole('row', { name: /omar sim-1 4 1 0/ })).toBeVisible();
    const chart = page.getByRole('figure', { name: /pages per hour per scanner/ });
    await expect(chart.getByRole('img')).toHaveAttribute('aria-label', /sim-1 about \d+ in the last hour/);
    await expect(chart).not.toContainText('batch.capture');
    await expect(page.getByRole('button', { name: 'Print' })).toBeEnabled();
    await quire.screenshot('shift-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('shift-1024');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('section,operator,scanner,pages,batches,quarantined,reason,count');
    expect(csv).toContain('work,omar,sim-1,4,1,0,,');
    expect(csv).toContain('total,,,4,1,0,,');
  });
});
