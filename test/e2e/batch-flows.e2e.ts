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
    await expect(row.getByRole('progressbar', { name: 'Pages of PR-1702' })).toHaveAttribute(
      'aria-valuenow',
      '4',
    );
    // Each row spans the table: its cells sit under their column titles.
    const title = await page.locator('.vtable__head .vtable__cell', { hasText: 'Device' }).boundingBox();
    const cell = await row.locator('.vtable__cell').nth(1).boundingBox();
    expect(Math.abs(cell!.x - title!.x)).toBeLessThan(2);
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
    await quire.station.pipeline.create(exampleManifest({ batch_id: 'CK-9' }), null);
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /CK-9/ }).click();
    await expect(page.getByRole('region', { name: 'Checksum mismatches' })).toContainText('Page 3');
    // An operator sees why the form is closed to them, instead of a form that fails on submit.
    await expect(page.getByTestId('decision-why-not')).toContainText('Only a supervisor decides');
    await expect(page.getByRole('button', { name: 'Record decision' })).toBeDisabled();
    await noSeriousAxeViolations(page);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill('sofia');
    await page.getByLabel('Password').fill('supervisor passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /CK-9/ }).click();
    await expect(page.getByRole('region', { name: 'Pages' })).toContainText('Page 4');
    // Quarantined at capture, so nothing was derived: the review images come from the masters.
    await expect(page.getByRole('img', { name: 'Page 4' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Attempt history' })).toContainText('fatal');
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

  test('a batch started from a device card runs on that scanner; the queue shows its jobs and throughput', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('operator');
    const card = page.getByTestId('device-sim-1');
    await expect(card.getByTestId('device-state')).toHaveText('IDLE');
    await card.getByRole('button', { name: 'Start a batch here…' }).click();
    const form = page.getByRole('dialog', { name: 'New batch' });
    await expect(form.getByLabel('Scanner')).toHaveValue('sim-1');
    await form.getByLabel('Batch id', { exact: true }).fill('CARD-1');
    await form.getByLabel('Title', { exact: true }).fill('Herbarium sheets, box 4');
    await form.getByLabel('Pages', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Start batch' }).click();
    await expect(form.getByTestId('batch-created')).toContainText('CARD-1: started');
    await form.getByRole('button', { name: 'Close' }).click();
    const row = page.getByRole('button', { name: /Batch CARD-1/ });
    await expect(row).toContainText('Completed', { timeout: 30_000 });
    await row.click();
    await expect(page.getByRole('list', { name: 'Jobs of this batch' })).toContainText(
      'batch.package — completed',
    );
    await expect(page.getByRole('figure', { name: /Throughput/ })).toContainText('jobs');
  });

  test('every view can be reached and used from the keyboard', async ({ page, quire }) => {
    await quire.signInAs('supervisor');
    // From the top of the page: the skip link, the header's controls, then the views.
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
      if (focused.trim() === 'Audit') break;
    }
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await noSeriousAxeViolations(page);
  });
});
