import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';

async function noSeriousAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  ).toEqual([]);
}

test.describe('keyboard and focus', () => {
  test('after sign-in focus is on the main heading; a skip link, then Lock and Sign out lead the tab order', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeFocused();
    // Start the tab order from the top of the page, as a keyboard user arriving at it does.
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    await expect(skip).toBeFocused();
    await quire.screenshot('skip-link-1440');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Lock' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toBeFocused();

    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('main')).toBeFocused();

    // Unlocking returns focus to the heading too.
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByLabel('Password').fill('supervisor passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeFocused();

    for (const name of ['Devices', 'Shift', 'Settings']) {
      await page.getByRole('button', { name, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await noSeriousAxeViolations(page);
    }
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('settings-1024');
  });
});
