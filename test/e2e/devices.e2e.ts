import path from 'node:path';
import { expect, test } from './support/fixtures';

test.describe('Devices view', () => {
  test.use({ stationOptions: { simulators: 2 } });

  test('shows live scanners; a jam raises an alert that stays until the operator resets', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('operator');
    const sim1 = page.getByTestId('device-sim-1');
    await expect(sim1.getByTestId('device-state')).toHaveText('IDLE');
    await expect(page.getByTestId('device-sim-2').getByTestId('device-state')).toHaveText('IDLE');
    await expect(sim1).toContainText('ScanLink Simulator');
    await quire.screenshot('devices');

    quire.station.devices.injectFault('sim-1', { kind: 'jamAtPage', page: 2 });
    const masters = path.join(quire.station.layout.staging, 'E2E', 'masters');
    const result = await quire.station.devices.capture('sim-1', {
      jobId: 'E2E',
      pages: 3,
      dpi: 50,
      mode: 'gray',
      bitDepth: 8,
      mastersDir: masters,
    });
    expect(result.status).toBe('jammed');

    await expect(sim1.getByTestId('device-state')).toHaveText('JAMMED');
    await expect(sim1.getByRole('alert')).toContainText('ADF JAM');
    await quire.screenshot('devices-jammed');
    await sim1.getByRole('button', { name: 'Reset after jam…' }).click();
    await expect(sim1).toContainText('Is the feeder clear?');
    await sim1.getByRole('button', { name: 'Yes, reset' }).click();
    await expect(sim1.getByTestId('device-state')).not.toHaveText('JAMMED');
    await expect(sim1.getByRole('alert')).toHaveCount(0);

    const resumed = await quire.station.devices.capture('sim-1', {
      jobId: 'E2E',
      pages: 2,
      dpi: 50,
      mode: 'gray',
      bitDepth: 8,
      mastersDir: masters,
    });
    expect(resumed.pages.map((p) => p.page)).toEqual([2, 3]);
  });
});
