import { exampleManifest } from '../helpers/manifest';
import { expect, test } from './support/fixtures';

test.describe('training: practice scanners and their faults', () => {
  test.use({ stationOptions: { runWorkers: true } });

  test('a supervisor turns training on, adds a simulated scanner and makes it jam for practice', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    // Off by default: no practice tools on a production station.
    await expect(page.getByRole('heading', { name: 'Training' })).toHaveCount(0);
    await page.getByLabel(/Training mode/).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    const training = page.getByRole('region', { name: 'Training' });
    await expect(training).toBeVisible();

    await training.getByRole('button', { name: 'Add a simulated scanner' }).click();
    await expect(training.getByRole('status')).toContainText('training-sim-1');
    await training.getByRole('combobox', { name: /^Fault/ }).selectOption('jamAtPage');
    await training.getByLabel('Page', { exact: true }).fill('2');
    await training.getByRole('button', { name: 'Cause fault' }).click();
    await expect(training.getByRole('status')).toContainText('will fail at page 2');
    await quire.screenshot('settings-training-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('settings-training-1024');
    await page.setViewportSize({ width: 1440, height: 900 });

    quire.station.pipeline.create(
      exampleManifest({ batch_id: 'PRACTICE-1', device: 'training-sim-1', expected_pages: 3, file_count: 3 }),
      null,
    );
    await page.getByRole('button', { name: 'Devices', exact: true }).click();
    const card = page.getByTestId('device-training-sim-1');
    await expect(card.getByTestId('device-state')).toHaveText('JAMMED', { timeout: 30_000 });
    await card.getByRole('button', { name: 'Reset after jam…' }).click();
    await card.getByRole('button', { name: 'Yes, reset' }).click();
    await expect(card.getByTestId('device-state')).not.toHaveText('JAMMED');
  });
});
