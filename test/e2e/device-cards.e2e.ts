import { exampleManifest } from '../helpers/manifest';
import { untilBatch } from '../helpers/station';
import { expectNoAxeViolations, screenshotBothSizes } from './support/console-views';
import { expect, test } from './support/fixtures';

test.describe('device cards built around the current job', () => {
  test.use({ stationOptions: { simulators: 2, runWorkers: true, simulatorSheets: 80 } });

  test('the card shows the batch, its page, progress, rate, own profile, queue and last page', async ({
    page,
    quire,
  }) => {
    const { station } = quire;
    // A jam at page 3 holds the batch mid-capture, so the card can be read at leisure.
    station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 3 });
    const gray = { dpi: 200, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' };
    await station.pipeline.create(exampleManifest({ batch_id: 'CARD-1', scanner_profile: gray }), null);
    await station.pipeline.create(exampleManifest({ batch_id: 'CARD-2' }), null);
    await station.pipeline.create(exampleManifest({ batch_id: 'CARD-3' }), null);
    await untilBatch(station, 'CARD-1', (b) => b.pagesDone === 2);

    await quire.signInAs('operator');
    const card = page.getByTestId('device-sim-1');
    const job = card.getByTestId('device-job');
    await expect(job).toContainText('CARD-1');
    await expect(card.getByTestId('device-page')).toHaveText('Page 3 of 4');
    await expect(job.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '2');
    await expect(card.getByTestId('device-job-profile')).toHaveText(
      'Profile of this batch: 200 dpi · greyscale · 8-bit',
    );
    await expect(card).toContainText('Default profile300 dpi · colour · 8-bit');
    await expect(card.getByTestId('device-rate')).toContainText(/pages\/min|Measuring/);
    await expect(card.getByTestId('device-waiting')).toHaveText('2 batches waiting');
    await expect(card.getByTestId('device-link')).toHaveText('Working normally');
    await expect(card).not.toContainText('Circuit');
    const preview = card.getByRole('img', { name: 'Page 2 of CARD-1, as captured' });
    await expect(preview).toBeVisible();
    // An access-size rendering, never the master: JPEG, at most 1600 px on its long side.
    const size = await preview.evaluate((img: HTMLImageElement) => ({
      src: img.src.slice(0, 23),
      long: Math.max(img.naturalWidth, img.naturalHeight),
    }));
    expect(size.src).toBe('data:image/jpeg;base64,');
    expect(size.long).toBeLessThanOrEqual(1600);
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'devices-current-job');

    await card.getByRole('button', { name: 'Reset after jam…' }).click();
    await card.getByRole('button', { name: 'Yes, reset' }).click();
    await untilBatch(station, 'CARD-3');
    await expect(card.getByTestId('device-waiting')).toHaveText('No batches waiting');
    await expect(card).toContainText('No batch on this scanner.');
  });

  test('a scanner that quarantines batch after batch is held until someone checks it', async ({
    page,
    quire,
  }) => {
    const { station } = quire;
    for (const id of ['BAD-1', 'BAD-2', 'BAD-3']) {
      station.devices.injectFault('sim-2', { kind: 'corruptChecksum', page: 1 });
      await station.pipeline.create(exampleManifest({ batch_id: id, device: 'sim-2' }), null);
      expect((await untilBatch(station, id)).stage).toBe('quarantined');
      station.devices.injectFault('sim-2', { kind: 'clear' });
    }
    await quire.signInAs('operator');
    const card = page.getByTestId('device-sim-2');
    const hold = card.getByTestId('device-hold');
    await expect(hold).toContainText('No new batches on sim-2');
    await expect(hold).toContainText('checksum mismatch');
    await expect(card.getByRole('button', { name: 'Start a batch here…' })).toBeDisabled();
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'devices-held');

    await hold.getByLabel('What did you check?').fill('Cleaned the sensor glass; test sheet fine');
    await hold.getByRole('button', { name: 'Scanner checked' }).click();
    await expect(hold).toHaveCount(0);
    await expect(card.getByRole('button', { name: 'Start a batch here…' })).toBeEnabled();
    const checked = station.audit.forObject('BAD-1').filter((e) => e.outcome === 'scanner checked');
    expect(checked.map((e) => [e.agents.person, e.detail])).toEqual([
      [
        'omar',
        'omar checked sim-2 after repeated capture failures: Cleaned the sensor glass; test sheet fine',
      ],
    ]);
  });
});
