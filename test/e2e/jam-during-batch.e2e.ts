import { expect, test } from './support/fixtures';

test.describe('a jam during a running batch', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('the operator clears the feeder and resets; the batch resumes and finishes with every page', async ({
    page,
    quire,
  }) => {
    quire.station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    await quire.signInAs('operator');
    const card = page.getByTestId('device-sim-1');
    await card.getByRole('button', { name: 'Start a batch here…' }).click();
    const form = page.getByRole('dialog', { name: 'New batch' });
    await form.getByLabel('Batch id', { exact: true }).fill('JAM-1');
    await form.getByLabel('Title', { exact: true }).fill('Letter book, 1811');
    await form.getByLabel('Pages', { exact: true }).fill('4');
    await form.getByRole('button', { name: 'Start batch' }).click();
    await expect(form.getByTestId('batch-created')).toContainText('JAM-1: started');
    await form.getByRole('button', { name: 'Close' }).click();

    // Two sheets went through before the third jammed: the batch waits at 2 of 4, and says why.
    const row = page.getByRole('button', { name: /Batch JAM-1/ });
    await expect(row).toContainText('2 of 4');
    await expect(row).toContainText('Jammed, page 3');

    await page.getByRole('button', { name: 'Devices', exact: true }).click();
    await expect(card.getByTestId('device-state')).toHaveText('JAMMED');
    await expect(card.getByRole('alert')).toContainText('ADF JAM');
    await card.getByRole('button', { name: 'Reset after jam…' }).click();
    await expect(card).toContainText('Is the feeder clear?');
    const resetAt = new Date().toISOString();
    await card.getByRole('button', { name: 'Yes, reset' }).click();
    await expect(card.getByRole('alert')).toHaveCount(0);

    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await expect(row).toContainText('Completed', { timeout: 30_000 });
    await expect(row).toContainText('4 of 4');
    // Resumed, not restarted: pages 1 and 2 are still the masters captured before the reset.
    const pages = quire.station.pipeline.store.pages('JAM-1');
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);
    expect(pages.map((p) => p.capturedAt < resetAt)).toEqual([true, true, false, false]);
  });
});
