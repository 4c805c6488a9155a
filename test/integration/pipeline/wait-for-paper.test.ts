import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation, untilBatch } from '../../helpers/station';

describe('wait-for-paper', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: Awaited<ReturnType<typeof contractCallers>>;
  let sim: ScanLinkSimulator;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ runWorkers: true }));
    call = await contractCallers(station);
    sim = new ScanLinkSimulator({ sheets: 0, pageWidthInches: 0.5, pageHeightInches: 0.5 });
    await sim.start();
  });
  afterEach(async () => {
    await dispose();
    await sim.stop();
  });

  const untilDevice = (test: (d: DeviceStatus) => boolean) =>
    new Promise<DeviceStatus>((resolve) => {
      const now = station.devices.list().find((d) => d.name === 'feeder-1');
      if (now && test(now)) return resolve(now);
      const unsubscribe = station.events.subscribe((e) => {
        if (e.name === 'device.status' && e.payload.name === 'feeder-1' && test(e.payload)) {
          unsubscribe();
          resolve(e.payload);
        }
      });
    });

  const config = (waitForPaper?: boolean) => ({
    name: 'feeder-1',
    driver: 'scanlink',
    address: `127.0.0.1:${sim.port}`,
    profile: { dpi: 300, mode: 'color', bitDepth: 8 },
    ...(waitForPaper === undefined ? {} : { waitForPaper }),
  });

  it('is off by default', async () => {
    expect(await call.supervisor('devices.add', config())).toMatchObject({
      ok: true,
      output: { waitForPaper: false, waitingBatch: null },
    });
  });

  it('the next batch waits, shown on the card, until the feeder goes from empty to loaded; all audited', async () => {
    expect(await call.supervisor('devices.add', config(true))).toMatchObject({
      ok: true,
      output: { waitForPaper: true },
    });
    await untilDevice((d) => d.state === 'IDLE' && d.adf === 'EMPTY');
    const created = await call.operator('batches.create', {
      manifest: exampleManifest({ batch_id: 'WFP-1', device: 'feeder-1' }),
    });
    expect(created.ok).toBe(true);
    await untilDevice((d) => d.waitingBatch === 'WFP-1');
    expect(station.pipeline.store.pages('WFP-1')).toEqual([]);
    expect(sim.pagesSent).toEqual([]);

    sim.loadSheets(4);
    const done = await untilBatch(station, 'WFP-1');
    expect(done.stage).toBe('completed');
    expect(station.pipeline.store.pages('WFP-1').map((p) => p.page)).toEqual([1, 2, 3, 4]);
    expect((await untilDevice((d) => d.waitingBatch === null)).waitForPaper).toBe(true);
    // Technical metadata names the driver and the identity the scanner itself reported.
    const technical = JSON.parse(
      readFileSync(
        path.join(station.layout.batchPackage('WFP-1'), 'data', 'metadata', 'technical.json'),
        'utf8',
      ),
    ) as { device: Record<string, unknown> };
    expect(technical.device).toMatchObject({
      driver: 'scanlink',
      address: `127.0.0.1:${sim.port}`,
      identity: { serial: sim.serial, model: 'ScanLink Simulator' },
    });

    const outcomes = station.audit
      .forObject('WFP-1')
      .filter((e) => e.type === 'ingestion')
      .map((e) => e.outcome);
    expect(outcomes).toEqual(['waiting for paper', 'paper loaded']);
    expect(station.audit.forObject('device:feeder-1').map((e) => [e.outcome, e.agents.person])).toEqual([
      ['wait for paper on', 'sofia'],
    ]);
  });
});
