import { exampleManifest } from '../helpers/manifest';
import { untilBatch } from '../helpers/station';
import { expectNoAxeViolations, screenshotBothSizes } from './support/console-views';
import { expect, test } from './support/fixtures';

test.describe('a live queue', () => {
  test.use({ stationOptions: { simulators: 2, runWorkers: true, simulatorSheets: 80 } });

  test('progress, ages, waiting places, stage filters and counts follow the batches as they move', async ({
    page,
    quire,
  }) => {
    const { station } = quire;
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    const row = (id: string) => page.getByRole('button', { name: new RegExp(`^Batch ${id},`) });

    station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    for (const id of ['Q-1', 'Q-2', 'Q-3', 'Q-4'])
      await station.pipeline.create(exampleManifest({ batch_id: id }), null);
    await station.pipeline.create(exampleManifest({ batch_id: 'Q-5', device: 'sim-2' }), null);

    // Page progress moved during the capture, up to the jam; the others wait their turn.
    await expect(row('Q-1')).toContainText('2 of 4');
    await expect(row('Q-1')).toContainText('Jammed, page 3');
    await expect(row('Q-2')).toContainText('Waiting for sim-1 (1 ahead)');
    await expect(row('Q-4')).toContainText('Waiting for sim-1 (3 ahead)');
    await expect(row('Q-4')).not.toContainText('Validating');
    await expect(row('Q-5')).toContainText('Completed', { timeout: 30_000 });
    const counts = page.getByRole('list', { name: 'Batches by stage' });
    await expect(counts).toContainText('Completed 1');

    // Ages tick on their own.
    const ageCell = row('Q-1').locator('.vtable__cell').last();
    const firstAge = await ageCell.textContent();
    await expect(ageCell).not.toHaveText(firstAge ?? '', { timeout: 10_000 });

    // The device filter matches a prefix.
    const device = page.getByLabel('Device', { exact: true });
    await device.fill('sim');
    await expect(page.getByText('5 batches')).toBeVisible();
    await device.fill('sim-2');
    await expect(page.getByText('1 batch', { exact: true })).toBeVisible();
    await expect(row('Q-5')).toBeVisible();
    await device.fill('');
    await device.blur();

    // A stage filter stays true as batches leave the stage.
    await page.getByRole('combobox', { name: /^Stage/ }).selectOption('validating');
    await expect(row('Q-2')).toBeVisible();
    await expect(row('Q-5')).toHaveCount(0);
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'queue-waiting');
    await station.pipeline.resetAfterJam('sim-1', { username: 'omar', role: 'operator' });
    await untilBatch(station, 'Q-4');
    await expect(row('Q-2')).toHaveCount(0);
    await expect(row('Q-4')).toHaveCount(0);
    await expect(page.getByText('0 batches')).toBeVisible();
    await expect(counts).toContainText('Completed 5');
    await expect(counts).toContainText('Validating 0');
    await expect(counts).toContainText('Capturing 0');
    await page.getByRole('combobox', { name: /^Stage/ }).selectOption('');

    // The drawer sits beside the columns it describes, never over them.
    await row('Q-3').click();
    const drawer = page.getByRole('dialog', { name: 'Q-3' });
    await expect(drawer).toBeVisible();
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1024, height: 640 },
    ]) {
      await page.setViewportSize(size);
      const pages = row('Q-3').getByText('4 of 4');
      await expect(pages).toBeVisible();
      // The layout follows the new viewport a frame or two later: poll until it has.
      await expect
        .poll(async () => {
          const cell = (await pages.boundingBox())!;
          const aside = (await drawer.boundingBox())!;
          return cell.x + cell.width - aside.x;
        })
        .toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'queue-drawer');
  });
});
