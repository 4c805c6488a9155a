import { expect, test } from './support/fixtures';

test.describe('Adding and editing a scanner', () => {
  test.use({ stationOptions: { simulators: 1 } });

  test('a supervisor turns wait-for-paper on from the card; a bad address is refused, naming it', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    const sim1 = page.getByTestId('device-sim-1');
    await expect(sim1.getByTestId('device-state')).toHaveText('IDLE');
    await expect(sim1.getByTestId('wait-for-paper')).toHaveCount(0);

    await sim1.getByRole('button', { name: 'Edit…' }).click();
    const form = sim1.getByRole('form', { name: 'Edit sim-1' });
    await form.getByLabel('Start the next batch waiting for this scanner when paper is loaded').check();
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(sim1.getByTestId('wait-for-paper')).toContainText(
      'the next batch starts when paper is loaded',
    );
    expect(quire.station.devices.list().find((d) => d.name === 'sim-1')?.waitForPaper).toBe(true);

    await page.getByRole('button', { name: 'Add a scanner…' }).click();
    const add = page.getByRole('form', { name: 'Add a scanner' });
    await add.getByLabel('Name').fill('reading-room');
    await add.getByLabel('Driver').selectOption('scanlink');
    await add.getByLabel('Address').fill('not an address');
    await add.getByRole('button', { name: 'Add scanner' }).click();
    await expect(add).toContainText('not a ScanLink address');
    expect(quire.station.devices.list().map((d) => d.name)).toEqual(['sim-1']);
  });
});
