import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Station } from '../../electron/station';
import { stationEndpoint } from '../../electron/transport/station-endpoint';
import { startBridge, type Bridge } from '../../electron/transport/ws-bridge';
import { exampleManifest } from '../helpers/manifest';
import { postgresUnavailableReason, startPostgres, type PostgresServer } from '../helpers/postgres-server';
import { redisServerBinary, startRedisServer, type RedisServer } from '../helpers/redis-server';
import { makeTestStation, untilBatch } from '../helpers/station';
import { makeTempDir } from '../helpers/temp-dir';
import { expectNoAxeViolations, screenshotBothSizes } from './support/console-views';
import { browserE2eUnavailableReason, RENDERER_BUNDLE } from './support/environment';
import { ensureAccounts, TEST_ACCOUNTS } from './support/fixtures';

// Two stations of one lab (Redis + PostgreSQL, in this process), each with its own console in
// its own browser context: a batch quarantined at station A is released (its failed page
// requeued) by a supervisor signed in at station B, finishes on A, and both consoles show it completed.
const redisBinary = redisServerBinary();
const unavailable =
  browserE2eUnavailableReason() ??
  (redisBinary.path === null ? redisBinary.reason : null) ??
  postgresUnavailableReason();
if (unavailable) process.stdout.write(`SKIPPED lab consoles e2e: ${unavailable}\n`);

test.describe('one lab, two consoles', () => {
  test.skip(unavailable !== null, unavailable ?? '');
  let redis: RedisServer;
  let pg: PostgresServer;
  const dir = makeTempDir('quire-lab-e2e-');
  const opened: { station: Station; bridge: Bridge; dispose: () => Promise<void> }[] = [];

  test.beforeAll(async () => {
    redis = await startRedisServer();
    pg = await startPostgres();
    const storage = path.join(dir.path, 'share');
    mkdirSync(storage);
    for (const [name, simulators] of [
      ['desk-a', 1],
      ['desk-b', 0],
    ] as const) {
      const { station, dispose } = await makeTestStation({
        runWorkers: true,
        simulators,
        lab: { redis: redis.url, station: name, storage },
        labDatabase: pg.url,
      });
      const bridge = await startBridge({ ...stationEndpoint(station), staticRoot: RENDERER_BUNDLE });
      opened.push({ station, bridge, dispose });
    }
    await ensureAccounts(opened[0]!.station);
  });

  test.afterAll(async () => {
    for (const o of opened.reverse()) {
      await o.bridge.close().catch(() => {});
      await o.dispose().catch(() => {});
    }
    await pg?.dispose();
    await redis?.stop();
    dir.cleanup();
  });

  const signIn = async (page: Page, bridge: Bridge, role: 'operator' | 'supervisor') => {
    await page.goto(bridge.appUrl);
    await expect(page.getByTestId('connection')).toHaveText(/Connected to station/);
    const who = TEST_ACCOUNTS[role];
    await page.getByLabel('Username').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('current-user')).toContainText(who.displayName);
  };

  test('quarantined at A, released by a supervisor at B, completed in both consoles', async ({ browser }) => {
    const [a, b] = opened as [(typeof opened)[0], (typeof opened)[0]];
    const atA = await (await browser.newContext()).newPage();
    const atB = await (await browser.newContext()).newPage();
    await signIn(atA, a.bridge, 'operator');
    await signIn(atB, b.bridge, 'supervisor');
    await expect(atA.getByTestId('lab-state')).toContainText('Lab station desk-a');
    await expect(atB.getByTestId('lab-state')).toContainText('Lab station desk-b');

    a.station.devices.injectFault('sim-1', { kind: 'corruptChecksum', page: 2 });
    await a.station.pipeline.create(exampleManifest({ batch_id: 'LAB-E1', device: 'sim-1' }), null);
    await untilBatch(a.station, 'LAB-E1', 'quarantined');
    a.station.devices.injectFault('sim-1', { kind: 'clear' });

    // B's quarantine lists A's batch with its station and scanner.
    await atB.getByRole('button', { name: 'Quarantine', exact: true }).click();
    const item = atB.getByRole('button', { name: /^LAB-E1/ });
    await expect(item).toContainText('desk-a');
    await expect(item).toContainText('sim-1');
    await item.click();
    await expect(atB.getByRole('heading', { level: 2, name: /LAB-E1/ })).toBeVisible();
    await expectNoAxeViolations(atB);
    await screenshotBothSizes(atB, 'lab-quarantine-at-another-station');

    // The failed page goes back to A's scanner.
    await atB.getByRole('button', { name: 'Choose the failed pages for recapture' }).click();
    await atB.getByLabel(/Requeue pages 2/).check();
    await atB.getByRole('combobox', { name: /^Reason/ }).selectOption('Checksum mismatch');
    await atB.getByRole('button', { name: 'Record decision' }).click();
    await untilBatch(a.station, 'LAB-E1', 'completed');

    // Both consoles show it completed, A's with its own station named.
    for (const page of [atA, atB]) {
      await page.getByRole('button', { name: 'Queue', exact: true }).click();
      const row = page.getByRole('button', { name: /^Batch LAB-E1,/ });
      await expect(row).toContainText('Completed', { timeout: 30_000 });
      await expect(row).toContainText('desk-a · sim-1');
    }
    const decisions = a.station.pipeline.store.detail('LAB-E1')!.decisions;
    expect(decisions.map((d) => [d.decision, d.by, d.pages])).toEqual([
      ['requeue', TEST_ACCOUNTS.supervisor.username, [2]],
    ]);
  });
});
