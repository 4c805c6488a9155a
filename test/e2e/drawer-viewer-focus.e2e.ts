import { exampleManifest } from '../helpers/manifest';
import { untilBatch } from '../helpers/station';
import { expectNoAxeViolations } from './support/console-views';
import { expect, test } from './support/fixtures';

test.describe('the batch drawer and the page viewer return focus', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 40 } });

  test('Escape closes the drawer and focus goes back to its row; the viewer gives focus back to its thumbnail', async ({
    page,
    quire,
  }) => {
    const { station } = quire;
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    // An empty queue is still a well-formed list.
    await expect(page.getByText('No batches match.')).toBeVisible();
    await expectNoAxeViolations(page);

    await station.pipeline.create(
      exampleManifest({ batch_id: 'FOCUS-1', expected_pages: 2, file_count: 2 }),
      null,
    );
    expect((await untilBatch(station, 'FOCUS-1')).stage).toBe('completed');
    const row = page.getByRole('button', { name: /^Batch FOCUS-1/ });
    await row.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: /FOCUS-1/ });
    await expect(drawer).toBeVisible();
    await expect(drawer.getByRole('button', { name: 'Close' }).first()).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(row).toBeFocused();

    station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
    await station.pipeline.create(
      exampleManifest({ batch_id: 'FOCUS-2', expected_pages: 2, file_count: 2 }),
      null,
    );
    expect((await untilBatch(station, 'FOCUS-2')).stage).toBe('quarantined');
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /^FOCUS-2/ }).click();
    const thumbnail = page.getByRole('button', { name: 'View page 1 larger' });
    await thumbnail.focus();
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: 'Page 1' });
    await expect(viewer.getByRole('button', { name: 'Close' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
    await expect(thumbnail).toBeFocused();
  });
});
