import net from 'node:net';
import { expect, test } from './support/fixtures';

async function deadAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

test.describe('settings an operator and a supervisor rely on during a shift', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('a catalog sync that cannot reach the API says so at the top; the address is kept', async ({
    page,
    quire,
  }) => {
    const api = await deadAddress();
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Collection-management API').fill(api);
    await page.getByLabel('Asset ids (one per line)').fill('OBJ-000001\nOBJ-000002');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByTestId('catalog-failure')).toContainText(
      `the collection API did not answer at ${api}`,
      { timeout: 30_000 },
    );
    await expect(page.getByRole('table', { name: 'Catalog syncs' })).toContainText('failed');
    await expect(page.getByRole('table', { name: 'Catalog syncs' })).not.toContainText('completed');
    await quire.screenshot('settings-catalog-unreachable-1440');
    expect(quire.station.settings.get().catalogApiBase).toBe(api);
    await page.reload();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Collection-management API')).toHaveValue(api);
  });

  test('a batch-name template set in Settings names the next batch in New batch', async ({ page, quire }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const template = page.getByLabel('Batch-name template');
    await template.fill('{collection}-{date}');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.locator('#template-error')).toContainText('Include {seq}');
    await template.fill('{collection}-{date}-{seq}');
    await expect(page.locator('#template-error')).toHaveCount(0);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    await quire.screenshot('settings-station-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('settings-station-1024');
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByRole('button', { name: 'New batch…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New batch' });
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    await dialog.getByLabel('Collection (for the batch name)').fill('MS');
    await expect(dialog.getByLabel('Batch id', { exact: true })).toHaveValue(`MS-${today}-001`);
    await dialog.getByLabel('Title', { exact: true }).fill('Minutes, 1901');
    await dialog.getByRole('button', { name: 'Start batch' }).click();
    await expect(dialog.getByTestId('batch-created')).toContainText(`MS-${today}-001: started`);
    await expect(dialog.getByLabel('Batch id', { exact: true })).toHaveValue(`MS-${today}-002`);
  });
});
