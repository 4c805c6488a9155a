import { expect, test } from './support/fixtures';

test.describe('saved scan profiles in the New batch form', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 20 } });

  test('a supervisor saves the current scan settings as a profile; choosing a profile fills them in', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByRole('button', { name: 'New batch…' }).click();
    const form = page.getByRole('dialog', { name: 'New batch' });
    const profile = form.getByLabel('Scan profile');

    await form.getByLabel('DPI', { exact: true }).fill('500');
    await form.getByLabel('Mode').selectOption('gray');
    await expect(form.getByLabel('Colour profile')).toHaveValue('Gray Gamma 2.2');
    await expect(profile).toHaveValue('');
    await form.getByLabel('Save these scan settings as').fill('Glass plates, 500 dpi grey');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect(form.getByRole('status')).toContainText(
      'Saved the scan profile "Glass plates, 500 dpi grey"',
    );
    await expect(profile).toHaveValue('Glass plates, 500 dpi grey');
    // The same name again is refused by the main process, and said so.
    await form.getByLabel('Save these scan settings as').fill('glass plates, 500 dpi grey');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect(form.getByRole('alert')).toContainText('already exists');

    await profile.selectOption('Manuscripts, 400 dpi colour');
    await expect(form.getByLabel('DPI', { exact: true })).toHaveValue('400');
    await expect(form.getByLabel('Mode')).toHaveValue('color');
    await expect(form.getByLabel('Colour profile')).toHaveValue('sRGB IEC61966-2.1');
    await form.getByLabel('Batch id', { exact: true }).fill('PROF-1');
    await form.getByLabel('Title', { exact: true }).fill('Commonplace book');
    await form.getByRole('button', { name: 'Start batch' }).click();
    await expect(form.getByTestId('batch-created')).toContainText('PROF-1: started');
    expect(
      (quire.station.pipeline.store.manifest('PROF-1') as { scanner_profile: unknown }).scanner_profile,
    ).toEqual({ dpi: 400, mode: 'color', bit_depth: 8, colour_profile: 'sRGB IEC61966-2.1' });
    expect(quire.station.settings.get().scanProfiles.map((p) => p.name)).toContain(
      'Glass plates, 500 dpi grey',
    );
  });
});
