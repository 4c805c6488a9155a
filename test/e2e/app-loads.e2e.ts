import { existsSync } from 'node:fs';
import { expect, test } from './support/fixtures';

test.describe('the console in Chromium over the bridge', () => {
  test('connects to the station and says so in text', async ({ page, quire }) => {
    await quire.open();
    await expect(page.getByTestId('connection')).toContainText('Connected to station');
  });

  test('on first start, the first person sets up a supervisor account', async ({ page, quire }) => {
    await quire.open();
    await expect(page.getByRole('heading', { name: 'Set up this station' })).toBeVisible();
    await quire.screenshot('first-start');
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create supervisor account' }).click();
    await expect(page.getByRole('alert')).toContainText('password');
    await page.getByLabel('Password').fill('a long enough passphrase');
    await page.getByRole('button', { name: 'Create supervisor account' }).click();
    await expect(page.getByTestId('current-user')).toContainText('Ada Lovelace');
    await expect(page.getByTestId('current-user')).toContainText('supervisor');
  });

  test('reads station.info through the bridge and shows it in Settings', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByTestId('station-data-dir')).toHaveText(quire.station.layout.root);
    await expect(page.getByTestId('station-version')).toHaveText(quire.station.info().version);
    expect(existsSync(await quire.screenshot('settings'))).toBe(true);
  });

  test('has navigation for every view', async ({ page, quire }) => {
    await quire.signInAs('operator');
    for (const name of ['Devices', 'Queue', 'Quarantine', 'Audit', 'Settings']) {
      await page.getByRole('button', { name, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    }
  });

  test('locks on request and unlocks only with the password', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Lock' }).click();
    await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('alert')).toContainText('wrong password');
    await page.getByLabel('Password').fill('operator passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
  });

  test('shows that the station is unreachable when the bridge goes away', async ({ page, quire }) => {
    await quire.open();
    await quire.bridge.close();
    await expect(page.getByTestId('connection')).toContainText('unreachable');
  });
});
