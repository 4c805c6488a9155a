import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { exampleManifest } from '../helpers/manifest';
import { expect, test } from './support/fixtures';

/** Axe on the New batch dialog (an empty queue table behind it is another view's concern). */
async function noSeriousAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).include('[role="dialog"]').analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  ).toEqual([]);
}

const asFile = (name: string, value: unknown) => ({
  name,
  mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify(value)),
});

test.describe('plain-language errors beside their fields, and keyboard use of New batch', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('New batch opens in its first field, explains each problem beside it, and closes with Escape', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    const opener = page.getByRole('button', { name: 'New batch…' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'New batch' });
    await expect(dialog.getByLabel('Batch id', { exact: true })).toBeFocused();

    await dialog.getByLabel('Batch id', { exact: true }).fill('my batch');
    await dialog.getByLabel('Pages').fill('0');
    await dialog.getByLabel('Bit depth').selectOption('1');
    await dialog.getByRole('button', { name: 'Start batch' }).click();
    await expect(page.locator('#new-batch-batchId-error')).toContainText('Use 1–64 characters');
    await expect(page.locator('#new-batch-title-error')).toHaveText('Enter a title');
    await expect(page.locator('#new-batch-pages-error')).toContainText(
      'Enter a number of pages from 1 to 10,000',
    );
    await expect(page.locator('#new-batch-bitDepth-error')).toHaveText(
      'Bitonal scans are 1-bit; choose bitonal or a bit depth of 8 or 16',
    );
    await expect(dialog.getByLabel('Title', { exact: true })).toHaveAttribute(
      'aria-describedby',
      'new-batch-title-error',
    );
    // No zod wording reaches a person.
    await expect(dialog).not.toContainText(/Too small|Invalid input|expected string/);
    await quire.screenshot('new-batch-errors-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('new-batch-errors-1024');
    await page.setViewportSize({ width: 1440, height: 900 });
    await noSeriousAxeViolations(page);

    // Changing a field clears its own message only.
    await dialog.getByLabel('Title', { exact: true }).fill('Letters, 1820');
    await expect(page.locator('#new-batch-title-error')).toHaveCount(0);
    await expect(page.locator('#new-batch-batchId-error')).toBeVisible();

    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(opener).toBeFocused();
  });

  test('an imported manifest is previewed, with its problems, before anything starts', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByRole('button', { name: 'New batch…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New batch' });
    const upload = dialog.getByLabel('Import a manifest (JSON)');

    const broken = exampleManifest({
      batch_id: 'IMP-BAD',
      device: 'sim-1',
      scanner_profile: { dpi: 300, mode: 'color', bit_depth: 1, colour_profile: 'sRGB IEC61966-2.1' },
    });
    await upload.setInputFiles(asFile('broken.json', broken));
    const preview = dialog.getByTestId('import-preview');
    await expect(preview).toContainText('IMP-BAD');
    await expect(preview.getByRole('list', { name: 'Problems' })).toContainText(
      'Bitonal scans are 1-bit; choose bitonal or a bit depth of 8 or 16',
    );
    await expect(preview.getByRole('button', { name: 'Start this batch' })).toBeDisabled();
    expect(quire.station.pipeline.store.summary('IMP-BAD')).toBeFalsy();

    const good = exampleManifest({ batch_id: 'IMP-OK', device: 'sim-1' });
    await upload.setInputFiles(asFile('good.json', good));
    await expect(preview).toContainText('IMP-OK');
    await expect(preview).toContainText('sim-1');
    await expect(preview).toContainText('No problems found.');
    await quire.screenshot('new-batch-import-preview-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('new-batch-import-preview-1024');
    expect(quire.station.pipeline.store.summary('IMP-OK')).toBeFalsy();
    await preview.getByRole('button', { name: 'Start this batch' }).click();
    await expect(dialog.getByTestId('batch-created')).toContainText('IMP-OK: started');
  });
});
