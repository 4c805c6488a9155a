import { exampleManifest } from '../helpers/manifest';
import { untilBatch } from '../helpers/station';
import { screenshotBothSizes } from './support/console-views';
import { expect, test } from './support/fixtures';

test.describe('a normal session', () => {
  test.use({ stationOptions: { simulators: 2, runWorkers: true, simulatorSheets: 80 } });

  test('shows a favicon and logs no page error and no console error on any view', async ({ page, quire }) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`request: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`response ${response.status()}: ${response.url()}`);
    });

    const { station } = quire;
    station.pipeline.create(exampleManifest({ batch_id: 'N-1' }), null);
    station.devices.injectFault('sim-2', { kind: 'corruptChecksum', page: 2 });
    station.pipeline.create(exampleManifest({ batch_id: 'N-2', device: 'sim-2' }), null);
    await untilBatch(station, 'N-1');
    await untilBatch(station, 'N-2');

    await quire.signInAs('supervisor');
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toMatch(/^data:image\/svg\+xml,/);

    await expect(page.getByTestId('device-sim-1')).toBeVisible();
    await screenshotBothSizes(page, 'session-devices');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByRole('button', { name: /^Batch N-1,/ }).click();
    await expect(page.getByRole('list', { name: 'History of this batch' })).toContainText('success');
    await screenshotBothSizes(page, 'session-queue');
    await page.getByRole('dialog', { name: 'N-1' }).getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /^N-2/ }).click();
    await expect(page.getByTestId('slot-2')).toContainText('checksum mismatch');
    await expect(page.getByRole('img', { name: 'Page 1' })).toBeVisible();
    await screenshotBothSizes(page, 'session-quarantine');
    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    await expect(page.getByTestId('chain-status')).toContainText('Chain intact');
    await screenshotBothSizes(page, 'session-audit');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await screenshotBothSizes(page, 'session-settings');
    await page.getByRole('button', { name: 'Devices', exact: true }).click();
    await expect(page.getByTestId('device-sim-2')).toBeVisible();

    expect(problems).toEqual([]);
  });
});
