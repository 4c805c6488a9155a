import { expect, test } from './support/fixtures';

test.describe('Settings → People', () => {
  test('a failed first setup shows the rules first, keeps what was typed except the password', async ({
    page,
    quire,
  }) => {
    await quire.open();
    await expect(page.getByText('At least 10 characters; a few words make a good passphrase.')).toBeVisible();
    await expect(page.getByText(/2–32 characters: lowercase letters/)).toBeVisible();
    await page.getByLabel('Username').fill('Ada Lovelace');
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create supervisor account' }).click();
    await expect(page.locator('#signin-username-error')).toContainText('lowercase letters');
    await expect(page.locator('#signin-password-error')).toContainText('at least 10 characters');
    await expect(page.getByLabel('Username')).toHaveValue('Ada Lovelace');
    await expect(page.getByLabel('Full name')).toHaveValue('Ada Lovelace');
    await expect(page.getByLabel('Password')).toHaveValue('');
    await quire.screenshot('first-start-errors-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('first-start-errors-1024');
    // The message goes as soon as the field changes.
    await page.getByLabel('Username').fill('ada');
    await expect(page.locator('#signin-username-error')).toHaveCount(0);
  });

  test('a supervisor adds, disables, re-enables and resets the password of a person', async ({
    page,
    quire,
    context,
  }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const people = page.getByRole('region', { name: 'People' });
    await expect(people.getByText(/2–32 characters/)).toBeVisible();

    await people.getByLabel('Username').fill('N.Ew');
    await people.getByLabel('Full name').fill('Nell Newcomer');
    await people.getByLabel('Password', { exact: true }).fill('short');
    await people.getByRole('button', { name: 'Add person' }).click();
    await expect(people.locator('#people-username-error')).toContainText('lowercase');
    await expect(people.locator('#people-password-error')).toContainText('at least 10');
    await expect(people.getByLabel('Full name')).toHaveValue('Nell Newcomer');
    await expect(people.getByLabel('Password', { exact: true })).toHaveValue('');
    await quire.screenshot('settings-people-errors-1440');

    await people.getByLabel('Username').fill('nell');
    await people.getByLabel('Password', { exact: true }).fill('newcomer passphrase');
    await people.getByRole('button', { name: 'Add person' }).click();
    await expect(people.getByRole('status')).toContainText('Added Nell Newcomer (nell) as operator');
    await expect(people.getByTestId('account-nell')).toContainText('active');
    await quire.screenshot('settings-people-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('settings-people-1024');
    await page.setViewportSize({ width: 1440, height: 900 });

    // Nell signs in at another console.
    const nellPage = await context.newPage();
    await nellPage.goto(quire.bridge.appUrl);
    await nellPage.getByLabel('Username').fill('nell');
    await nellPage.getByLabel('Password').fill('newcomer passphrase');
    await nellPage.getByRole('button', { name: 'Sign in' }).click();
    await expect(nellPage.getByTestId('current-user')).toContainText('Nell Newcomer');

    // Disabling ends her session at its next step.
    await people.getByRole('button', { name: 'Disable nell' }).click();
    await expect(people.getByTestId('account-nell')).toContainText('disabled');
    await nellPage.getByRole('button', { name: 'Queue', exact: true }).click();
    await expect(nellPage.getByRole('heading', { name: 'Sign in to Quire' })).toBeVisible();

    await people.getByRole('button', { name: 'Re-enable nell' }).click();
    await expect(people.getByTestId('account-nell')).toContainText('active');

    await people.getByRole('button', { name: 'Reset password of nell' }).click();
    await people.getByRole('textbox', { name: 'New password' }).fill('too short');
    await people.getByRole('button', { name: 'Set password', exact: true }).click();
    await expect(people.locator('#reset-error')).toContainText('at least 10');
    await people.getByRole('textbox', { name: 'New password' }).fill('a fresh passphrase');
    await people.getByRole('button', { name: 'Set password', exact: true }).click();
    await expect(people.getByRole('status')).toContainText('Set a new password for nell');

    await nellPage.getByLabel('Username').fill('nell');
    await nellPage.getByLabel('Password').fill('a fresh passphrase');
    await nellPage.getByRole('button', { name: 'Sign in' }).click();
    await expect(nellPage.getByTestId('current-user')).toContainText('Nell Newcomer');
    await nellPage.close();
  });

  test('operators do not see People', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'People' })).toHaveCount(0);
  });
});
