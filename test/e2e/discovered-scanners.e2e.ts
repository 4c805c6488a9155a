import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeSaneTestEnv, saneSkipReason } from '../integration/sane/sane-test-env';
import { expect, test } from './support/fixtures';

/**
 * The Devices view lists the scanners discovery finds (here SANE's `test` backend, in a private
 * SANE configuration the station process reads) with an Add action for supervisors.
 */
test.describe('Scanners nearby', () => {
  const skip = saneSkipReason();
  let configRoot: string;
  let previous: string | undefined;

  test.beforeEach(() => {
    test.skip(skip !== null, skip ?? '');
    configRoot = mkdtempSync(path.join(os.tmpdir(), 'quire-e2e-sane-'));
    previous = process.env.SANE_CONFIG_DIR;
    // The station runs in this process: discovery's scanimage sees only the test backend.
    process.env.SANE_CONFIG_DIR = makeSaneTestEnv(configRoot).configDir;
  });
  test.afterEach(() => {
    if (previous === undefined) delete process.env.SANE_CONFIG_DIR;
    else process.env.SANE_CONFIG_DIR = previous;
    rmSync(configRoot, { recursive: true, force: true });
  });

  test('lists discovered scanners; a supervisor gets an Add form with a suggested name', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    const nearby = page.getByTestId('discovered-scanners');
    await nearby.getByRole('button', { name: 'Look for scanners' }).click();
    const row = page.getByTestId('discovered-sane:test:0');
    await expect(row).toContainText('Noname frontend-tester');
    await expect(row).toContainText('sane:test:0');
    await row.getByRole('button', { name: 'Add…' }).click();
    await expect(row.getByLabel('Name in the fleet')).toHaveValue('noname-frontend-tester');
    await row.getByLabel('Name in the fleet').fill('bad name!');
    await expect(row.getByRole('button', { name: 'Add scanner' })).toBeDisabled();
    await row.getByLabel('Name in the fleet').fill('reading-room');
    await expect(row.getByRole('button', { name: 'Add scanner' })).toBeEnabled();
    await quire.screenshot('devices-discovered');
  });

  test('an operator sees discovered scanners but no Add action', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByTestId('discovered-scanners').getByRole('button', { name: 'Look for scanners' }).click();
    const row = page.getByTestId('discovered-sane:test:0');
    await expect(row).toContainText('A supervisor can add this scanner.');
    await expect(row.getByRole('button', { name: 'Add…' })).toHaveCount(0);
  });
});
