import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../helpers/temp-dir';
import { expect, test } from './support/fixtures';

test.describe('Settings → Storage and a transfer in the Queue view', () => {
  test.use({ stationOptions: { simulators: 1, runWorkers: true, simulatorSheets: 50 } });

  test('a supervisor adds a shaped folder destination and a retention; a batch sent there shows its progress and completion', async ({
    page,
    quire,
  }) => {
    test.setTimeout(180_000);
    const dir = makeTempDir('quire-e2e-storage-');
    try {
      const ingest = path.join(dir.path, 'ingest');
      mkdirSync(ingest);
      await quire.signInAs('supervisor');
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const form = page.getByRole('form', { name: 'Add a destination' });

      // An SFTP address shows the key fields and explains host-key pinning before anything is saved.
      await form.getByLabel('Address', { exact: false }).fill('sftp://quire@ingest.example.org:22/drop');
      await expect(form.getByLabel(/SSH private key/)).toBeVisible();
      await expect(form.getByLabel(/Key passphrase/)).toBeVisible();
      await expect(form.getByTestId('host-key-pinning')).toContainText('trust on first use');
      await expect(form.getByTestId('host-key-pinning')).toContainText('refused');

      // A limit by day and a higher one at night: limited whatever the hour the test runs (the
      // package, some 25 MB, takes seconds: long enough to watch).
      await form.getByLabel('Name').fill('repository');
      await form.getByLabel('Address', { exact: false }).fill(`file://${ingest}`);
      await expect(form.getByLabel(/SSH private key/)).toHaveCount(0);
      await form.getByLabel(/Rate limit/).fill('2M@06:00-22:00,3M');
      await form.getByLabel('Verification').selectOption('all');
      await form.getByRole('button', { name: 'Save destination' }).click();
      const list = page.getByRole('list', { name: 'Repository destinations' });
      await expect(list).toContainText('repository');
      await expect(list).toContainText('limit 2M@06:00-22:00,3M');
      expect(quire.station.transfer.destinations()).toMatchObject([
        { name: 'repository', rate: '2M@06:00-22:00,3M', verify: 'all', automatic: false },
      ]);

      const retention = page.getByRole('form', { name: 'Staging copies' });
      await retention.getByLabel('For some days after verified transfer').check();
      await expect(retention.getByLabel('Days to keep after verified transfer')).toHaveValue('30');
      await retention.getByLabel('Until verified at every destination it was sent to').check();
      await retention.getByRole('button', { name: 'Save retention' }).click();
      await expect(retention.getByRole('status')).toHaveText('Retention saved.');
      expect(quire.station.transfer.retention.policy()).toEqual({ keep: 'until-verified' });
      await quire.screenshot('settings-storage');

      // A batch naming the destination in the New batch form.
      const transferred = new Promise<string>((resolve) => {
        const unsubscribe = quire.station.events.subscribe((e) => {
          if (
            e.name === 'job.updated' &&
            e.payload.type === 'batch.transfer' &&
            e.payload.state !== 'active'
          ) {
            if (!['completed', 'quarantined'].includes(e.payload.state)) return;
            unsubscribe();
            resolve(e.payload.state);
          }
        });
      });
      await page.getByRole('button', { name: 'Queue', exact: true }).click();
      await page.getByRole('button', { name: 'New batch…' }).click();
      await page.getByLabel('Batch id', { exact: true }).fill('TR-1');
      await page.getByLabel('Title', { exact: true }).fill('Estate papers, box 3');
      await page.getByRole('group', { name: 'Send the package to' }).getByLabel('repository').check();
      await page.getByRole('button', { name: 'Start batch' }).click();
      await expect(page.getByTestId('batch-created')).toContainText('TR-1: started');
      await page.getByRole('dialog', { name: 'New batch' }).getByRole('button', { name: 'Close' }).click();
      expect(quire.station.pipeline.store.manifest('TR-1')).toMatchObject({ transfer_to: ['repository'] });

      const transfers = page.getByRole('table', { name: 'Transfers to repository storage' });
      const row = transfers.getByRole('row', { name: /TR-1/ });
      // While sending: bytes of the total, a rate under the limit and the time left.
      await expect(row).toContainText('sending', { timeout: 60_000 });
      const cells = row.getByRole('cell');
      await expect(cells.nth(3)).toHaveText(/^\d+\.\d MB of \d+\.\d MB$/);
      await expect(cells.nth(4)).toHaveText(/^[0-3]\.\d MB\/s$/);
      await expect(cells.nth(5)).toHaveText(/^\d+ s$/);
      await quire.screenshot('queue-transfer');
      await expect(row).toContainText('verified', { timeout: 120_000 });
      await expect(row).not.toContainText('MB/s');

      expect(await transferred).toBe('completed');
      expect(existsSync(path.join(ingest, 'TR-1', 'bagit.txt'))).toBe(true);
      // Verified at its only destination, kept "until verified": the local copy is pruned.
      expect(existsSync(quire.station.layout.batchPackage('TR-1'))).toBe(false);
      const events = quire.station.audit.forObject('TR-1').map((e) => `${e.type}:${e.outcome}`);
      expect(events).toEqual(expect.arrayContaining(['replication:success', 'deletion:success']));
      expect((await quire.station.pipeline.verify()).findings).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });

  test('an operator sees the retention setting but cannot change it', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const retention = page.getByRole('form', { name: 'Staging copies' });
    await expect(retention.getByLabel('Always')).toBeChecked();
    await expect(retention.getByLabel('Always')).toBeDisabled();
    await expect(retention.getByText('Supervisors choose how long copies are kept.')).toBeVisible();
  });
});
