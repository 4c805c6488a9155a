import { exampleManifest } from '../helpers/manifest';
import { expectNoAxeViolations, recordNotifications, screenshotBothSizes } from './support/console-views';
import { expect, test } from './support/fixtures';

test.describe('a jam is impossible to miss', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('banner, badge, title, tone and notification on every view; the jam and reset are in the history', async ({
    page,
    quire,
  }) => {
    await recordNotifications(page);
    quire.station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await page.getByTestId('nav-devices').getByRole('button').click();
    await page.getByLabel('Sound when a scanner needs a person').check();
    await page.getByRole('button', { name: 'Queue', exact: true }).click();

    quire.station.pipeline.create(exampleManifest({ batch_id: 'JAM-2' }), null);
    const banner = page.getByTestId('attention');
    await expect(banner).toContainText('sim-1 is jammed');
    await expect(banner).toContainText('JAM-2');
    await expect(banner).toContainText('page 3 of 4');
    await expect(page.getByTestId('nav-devices').getByTestId('nav-badge')).toHaveText(
      /1\s*1 scanner needs a person/,
    );
    await expect(page).toHaveTitle('(1) sim-1 is jammed — Quire');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __quireNotes: string[] }).__quireNotes))
      .toEqual(['sim-1 is jammed | Batch JAM-2 is waiting for you.']);
    expect(await page.evaluate(() => (window as unknown as { __quireTones: number }).__quireTones)).toBe(1);

    // The Queue row says jammed, not "Capturing 2 of 4".
    const row = page.getByRole('button', { name: /Batch JAM-2/ });
    await expect(row).toContainText('Jammed, page 3');
    await expect(row).not.toContainText('Capturing');
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'queue-jammed');

    // The same banner on every other view.
    for (const view of ['Quarantine', 'Audit', 'Settings', 'Devices']) {
      await page.getByRole('button', { name: view, exact: true }).click();
      await expect(banner).toContainText('sim-1 is jammed');
    }
    const card = page.getByTestId('device-sim-1');
    await expect(card).toContainText('JAM-2');
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'devices-jammed');

    // Reset from the banner, as from anywhere.
    await banner.getByRole('button', { name: 'Reset after jam…' }).click();
    await banner.getByRole('button', { name: 'Yes, reset' }).click();
    await expect(banner).toHaveCount(0);
    await expect(page).toHaveTitle('Quire');
    await expect(page.getByTestId('nav-devices').getByTestId('nav-badge')).toHaveCount(0);

    await page.getByRole('button', { name: 'Queue', exact: true }).click();
    await expect(row).toContainText('Completed', { timeout: 30_000 });
    await row.click();
    const history = page.getByRole('list', { name: 'History of this batch' });
    await expect(history).toContainText('capture — jammed');
    await expect(history).toContainText('sim-1 jammed after 2 page(s)');
    await expect(history).toContainText('capture — reset after jam (omar)');
    await screenshotBothSizes(page, 'queue-history');
  });
});
