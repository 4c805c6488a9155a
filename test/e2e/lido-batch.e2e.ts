import { expect, test } from './support/fixtures';

test.describe('a museum batch described in LIDO', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 20 } });

  test('New batch offers LIDO with its object fields; a profile saved with it brings LIDO back', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByRole('button', { name: 'New batch…' }).click();
    const form = page.getByRole('dialog', { name: 'New batch' });
    await expect(form.getByLabel('Object type')).toHaveCount(0);
    await form.getByLabel('Metadata').selectOption('LIDO');
    await form.getByLabel('Object type').fill('letter book');
    await form
      .getByLabel('Inscriptions (one per line)')
      .fill('Eingang 3. März 1887\n\nStamp of the commission');
    await form.getByLabel('Credit line').fill('Deposited by the Harbour Commission');
    await form.getByLabel('Save these scan settings as').fill('Museum objects, LIDO');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect(form.getByRole('status')).toContainText('Saved the scan profile "Museum objects, LIDO"');
    expect(
      quire.station.settings.get().scanProfiles.find((p) => p.name === 'Museum objects, LIDO'),
    ).toMatchObject({ metadata_schema: 'LIDO' });

    await form.getByLabel('Metadata').selectOption('MODS');
    await form.getByLabel('Scan profile').selectOption('Museum objects, LIDO');
    await expect(form.getByLabel('Metadata')).toHaveValue('LIDO');
    await form.getByLabel('Batch id', { exact: true }).fill('LIDO-E2E');
    await form.getByLabel('Title', { exact: true }).fill('Letter book of the Harbour Commission');
    await form.getByRole('button', { name: 'Start batch' }).click();
    await expect(form.getByTestId('batch-created')).toContainText('LIDO-E2E: started');
    const manifest = quire.station.pipeline.store.manifest('LIDO-E2E') as {
      metadata_schema: string;
      descriptive: Record<string, unknown>;
    };
    expect(manifest.metadata_schema).toBe('LIDO');
    expect(manifest.descriptive).toMatchObject({
      object_work_type: 'letter book',
      inscriptions: ['Eingang 3. März 1887', 'Stamp of the commission'],
      credit_line: 'Deposited by the Harbour Commission',
    });
  });
});
