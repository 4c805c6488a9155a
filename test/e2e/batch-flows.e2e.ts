import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { exampleManifest } from '../helpers/manifest';
import { expect, test } from './support/fixtures';

async function noSeriousAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test.describe('batches in the console', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('an operator starts a batch from the form and watches it complete', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByRole('button', { name: 'New batch…' }).click();
    await page.getByLabel('Batch id', { exact: true }).fill('../escape');
    await page.getByLabel('Title', { exact: true }).fill('Parish register, 1702–1745');
    await page.getByRole('button', { name: 'Start batch' }).click();
    await expect(page.getByText('use 1–64 characters')).toBeVisible();
    await page.getByLabel('Batch id', { exact: true }).fill('PR-1702');
    await page.getByLabel('Accession numbers (comma-separated)').fill('2001.3.14');
    await page.getByRole('button', { name: 'Start batch' }).click();
    await expect(page.getByTestId('batch-created')).toContainText('PR-1702: started');
    await page.getByRole('dialog', { name: 'New batch' }).getByRole('button', { name: 'Close' }).click();
    const row = page.getByRole('button', { name: /Batch PR-1702/ });
    await expect(row).toContainText('Completed', { timeout: 30_000 });
    await expect(row).toContainText('4 of 4');
    await quire.screenshot('queue');
    await noSeriousAxeViolations(page);
    await row.click();
    await expect(page.getByRole('dialog')).toContainText('packages');
  });

  test('a checksum fault quarantines a batch; the operator is refused; a supervisor rejects it with a reason', async ({
    page,
    quire,
  }) => {
    quire.station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 3 });
    quire.station.pipeline.create(exampleManifest({ batch_id: 'CK-9' }), null);
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /CK-9/ }).click();
    await expect(page.getByRole('region', { name: 'Checksum mismatches' })).toContainText('Page 3');
    await page.getByLabel('Reason').selectOption('Checksum mismatch');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect(page.getByRole('alert')).toContainText('for supervisors');
    await noSeriousAxeViolations(page);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill('sofia');
    await page.getByLabel('Password').fill('supervisor passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /CK-9/ }).click();
    await expect(page.getByRole('region', { name: 'Pages' })).toContainText('Page 4');
    await quire.screenshot('quarantine');
    await page.getByLabel(/Reject/).check();
    await page.getByLabel('Reason').selectOption('Damaged original');
    await page.getByLabel('Note').fill('Leaf 3 torn along the gutter');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect(page.getByText('Nothing is waiting for review.')).toBeVisible();

    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    await expect(page.getByTestId('chain-status')).toContainText('Chain intact');
    await expect(page.getByRole('cell', { name: 'rejected' })).toBeVisible();
    await quire.screenshot('audit');
    await noSeriousAxeViolations(page);
  });

  test('every view can be reached and used from the keyboard', async ({ page, quire }) => {
    await quire.signInAs('supervisor');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
      if (focused.trim() === 'Audit') break;
    }
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await noSeriousAxeViolations(page);
  });
});
