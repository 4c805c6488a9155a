import { startCmsEmulator } from '../../electron/catalog/emulator';
import { expect, test } from './support/fixtures';

test.describe('Settings', () => {
  test('a supervisor edits the quarantine reasons and syncs the catalog; dead letters are shown', async ({
    page,
    quire,
  }) => {
    const emulator = await startCmsEmulator({ count: 30, invalidIds: ['OBJ-000004'] });
    try {
      await quire.signInAs('supervisor');
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const reasons = page.getByLabel('Quarantine decision reasons (one per line)');
      await reasons.fill('Missing pages\nFoxing obscures text');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
      expect(quire.station.settings.get().quarantineReasons).toEqual([
        'Missing pages',
        'Foxing obscures text',
      ]);

      await page.getByLabel('Collection-management API').fill(emulator.url);
      await page
        .getByLabel('Asset ids (one per line)')
        .fill('OBJ-000001\nOBJ-000002\nOBJ-000003\nOBJ-000004\nOBJ-999999');
      await page.getByRole('button', { name: 'Sync now' }).click();
      const syncs = page.getByRole('table', { name: 'Catalog syncs' });
      await expect(syncs).toContainText('completed');
      await syncs.getByRole('button', { name: /2 — show/ }).click();
      await expect(page.getByRole('listitem').filter({ hasText: 'OBJ-999999' })).toContainText('HTTP 404');
      await expect(page.getByText(/OBJ-000004.*media_url/)).toBeVisible();
      await quire.screenshot('settings-catalog');
    } finally {
      await emulator.close();
    }
  });

  test('saving the form keeps a change made meanwhile to a field it did not edit', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const reasons = page.getByLabel('Quarantine decision reasons (one per line)');
    await expect(page.getByLabel('Station name')).not.toHaveValue('Changed at the other console');
    // Another supervisor (another console, or a station of the lab) renames the station while
    // this form is open with the old name.
    await quire.station.settings.update({ stationName: 'Changed at the other console' });
    await reasons.fill('Missing pages');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    const stored = quire.station.settings.get();
    expect(stored.stationName).toBe('Changed at the other console');
    expect(stored.quarantineReasons).toEqual(['Missing pages']);
    // The form now shows what is stored.
    await expect(page.getByLabel('Station name')).toHaveValue('Changed at the other console');
  });

  test('saving a field changed meanwhile elsewhere is refused, shows the stored value and keeps the other edits', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const idleLock = page.getByLabel('Lock the console after (minutes idle)');
    await expect(idleLock).toHaveValue('15');
    // Another supervisor sets the idle lock while this form still shows 15.
    await quire.station.settings.update({ idleLockMinutes: 30 });
    await idleLock.fill('20');
    await page.getByLabel('Organization').fill('Abbey Library');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('alert')).toContainText(
      'Nothing was saved: the idle lock changed at another console or station while you edited (now the idle lock: 30)',
    );
    expect(quire.station.settings.get()).toMatchObject({
      idleLockMinutes: 30,
      organizationName: 'Digitization Lab',
    });
    await expect(idleLock).toHaveValue('30');
    await expect(page.getByLabel('Organization')).toHaveValue('Abbey Library');
    // Saved again, the kept edit goes through on the stored values.
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    expect(quire.station.settings.get()).toMatchObject({
      idleLockMinutes: 30,
      organizationName: 'Abbey Library',
    });
  });

  test('an operator sees the settings but cannot change them', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Organization')).toBeDisabled();
    await expect(page.getByText('Only supervisors change settings.')).toBeVisible();
  });
});
