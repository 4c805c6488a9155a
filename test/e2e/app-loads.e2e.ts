import { existsSync } from 'node:fs';
import { expect, test } from './support/fixtures';

test.describe('the console in Chromium over the bridge', () => {
  test('connects to the station and says so in text', async ({ page, quire }) => {
    await quire.open();
    await expect(page.getByTestId('connection')).toContainText('Connected to station');
  });

  test('reads station.info through the bridge and shows it in Settings', async ({ page, quire }) => {
    await quire.open();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByTestId('station-data-dir')).toHaveText(quire.station.layout.root);
    await expect(page.getByTestId('station-version')).toHaveText(quire.station.info().version);
    expect(existsSync(await quire.screenshot('settings'))).toBe(true);
  });

  test('has navigation for every view', async ({ page, quire }) => {
    await quire.open();
    for (const name of ['Devices', 'Queue', 'Quarantine', 'Audit', 'Settings']) {
      await page.getByRole('button', { name, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    }
  });

  test('shows that the station is unreachable when the bridge goes away', async ({ page, quire }) => {
    await quire.open();
    await quire.bridge.close();
    await expect(page.getByTestId('connection')).toContainText('unreachable');
  });
});
