import { exampleManifest } from '../helpers/manifest';
import { untilBatch } from '../helpers/station';
import { expectNoAxeViolations, screenshotBothSizes } from './support/console-views';
import { expect, test } from './support/fixtures';

test.describe('a quarantine that clears fast', () => {
  test.use({ stationOptions: { simulators: 2, runWorkers: true, simulatorSheets: 80 } });

  test('counts, groups, failed pages in their slots, next item after a decision, bulk decisions', async ({
    page,
    quire,
  }) => {
    const { station } = quire;
    for (const [id, device, page] of [
      ['QA-1', 'sim-1', 2],
      ['QA-2', 'sim-1', 3],
      ['QA-3', 'sim-1', 1],
      ['QB-1', 'sim-2', 2],
    ] as const) {
      station.devices.injectFault(device, { kind: 'corruptChecksum', page });
      station.pipeline.create(exampleManifest({ batch_id: id, device }), null);
      expect((await untilBatch(station, id)).stage).toBe('quarantined');
      station.devices.injectFault(device, { kind: 'clear' });
    }

    // An operator: the count, the groups, and a form closed to them with the reason.
    await quire.signInAs('operator');
    await expect(page.getByTestId('nav-quarantine').getByTestId('nav-badge')).toContainText(
      '4 batches to review',
    );
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    const groups = page.getByTestId('review-group');
    await expect(groups.first()).toContainText('3 × checksum mismatch on sim-1');
    await expect(groups.nth(1)).toContainText('1 × checksum mismatch on sim-2');
    await page.getByRole('button', { name: /^QA-1/ }).click();
    await expect(page.getByTestId('decision-why-not')).toContainText('Omar Operator, an operator');
    await expect(page.getByRole('button', { name: 'Record decision' })).toBeDisabled();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await quire.signInAs('supervisor');
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await page.getByRole('button', { name: /^QA-1/ }).click();
    // The failed page in its own slot, with both checksums, chosen for recapture in one click.
    const mismatch = station.pipeline.store.detail('QA-1')!.quarantine!.checksumMismatches[0]!;
    const slot = page.getByTestId('slot-2');
    await expect(slot).toContainText('Page 2: checksum mismatch');
    await expect(slot).toContainText(`expected ${mismatch.expected.slice(0, 12)}…`);
    await expect(slot).toContainText(`received ${mismatch.actual.slice(0, 12)}…`);
    await page.getByRole('button', { name: 'Choose the failed pages for recapture' }).click();
    await expect(slot.getByRole('checkbox')).toBeChecked();
    await expect(page.getByLabel(/Requeue pages 2/)).toBeVisible();
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'quarantine-review');

    // A decision opens the next batch of the list.
    await page.getByLabel(/Requeue pages 2/).check();
    await page.getByRole('combobox', { name: /^Reason/ }).selectOption('Checksum mismatch');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect(page.getByRole('heading', { level: 2, name: /QA-2/ })).toBeVisible();
    expect((await untilBatch(station, 'QA-1')).stage).toBe('completed');

    // The rest of the group at once: one decision each, audited each with the reason.
    const group = groups.filter({ hasText: 'on sim-1' });
    await expect(group).toContainText('2 × checksum mismatch on sim-1');
    await group.getByRole('checkbox').first().check();
    const bulk = page.getByTestId('bulk-decision');
    await expect(bulk).toContainText('Decide for 2 selected batches');
    await bulk.getByLabel(/Reject them/).check();
    await bulk.getByRole('combobox', { name: /^Reason/ }).selectOption('Damaged original');
    await bulk.getByLabel('Note').fill('Sensor fault on sim-1; rescanning as new batches');
    await expectNoAxeViolations(page);
    await screenshotBothSizes(page, 'quarantine-bulk');
    await bulk.getByRole('button', { name: 'Record 2 decisions' }).click();
    await expect(groups).toHaveCount(1);
    await expect(page.getByTestId('nav-quarantine').getByTestId('nav-badge')).toContainText(
      '1 batch to review',
    );
    for (const id of ['QA-2', 'QA-3']) {
      expect(station.pipeline.store.summary(id)!.stage).toBe('rejected');
      const events = station.audit.forObject(id).filter((e) => e.type === 'appraisal');
      expect(events.map((e) => [e.outcome, e.agents.person, e.detail])).toEqual([
        ['rejected', 'sofia', 'Damaged original — Sensor fault on sim-1; rescanning as new batches'],
      ]);
    }
  });
});
