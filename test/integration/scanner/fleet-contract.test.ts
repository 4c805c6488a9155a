import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { contractCallers } from '../../helpers/contract-caller';
import { makeTestStation } from '../../helpers/station';

describe('the fleet through the contract', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: Awaited<ReturnType<typeof contractCallers>>;
  let external: ScanLinkSimulator;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 2 }));
    call = await contractCallers(station);
    external = new ScanLinkSimulator({ sheets: 2 });
    await external.start();
  });
  afterEach(async () => {
    await dispose();
    await external.stop();
  });

  const online = (name: string) =>
    new Promise<DeviceStatus>((resolve) => {
      const unsubscribe = station.events.subscribe((e) => {
        if (e.name === 'device.status' && e.payload.name === name && e.payload.state === 'IDLE') {
          unsubscribe();
          resolve(e.payload);
        }
      });
      const now = station.devices.list().find((d) => d.name === name);
      if (now?.state === 'IDLE') resolve(now);
    });

  it('runs the built-in simulators as sim-1 and sim-2 and publishes their status', async () => {
    await Promise.all([online('sim-1'), online('sim-2')]);
    const list = await call.operator('devices.list');
    expect(list.ok && (list.output as DeviceStatus[]).map((d) => [d.name, d.simulated])).toEqual([
      ['sim-1', true],
      ['sim-2', true],
    ]);
  });

  it('lets a supervisor add, edit and remove a scanner at run time, and refuses duplicates', async () => {
    const config = {
      name: 'bookeye',
      host: '127.0.0.1',
      port: external.port,
      profile: { dpi: 400, mode: 'color', bitDepth: 8 },
    };
    expect(await call.operator('devices.add', config)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await call.supervisor('devices.add', config)).toMatchObject({
      ok: true,
      output: { name: 'bookeye' },
    });
    await online('bookeye');
    expect(await call.supervisor('devices.add', config)).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(
      await call.supervisor('devices.update', {
        ...config,
        profile: { dpi: 600, mode: 'gray', bitDepth: 16 },
      }),
    ).toMatchObject({
      ok: true,
      output: { profile: { dpi: 600, bitDepth: 16 } },
    });
    expect(await call.supervisor('devices.remove', { name: 'bookeye' })).toMatchObject({ ok: true });
    expect(await call.supervisor('devices.remove', { name: 'bookeye' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('refuses a device name that could escape a folder, naming the field', async () => {
    const result = await call.supervisor('devices.add', {
      name: '../x',
      host: 'h',
      port: 1,
      profile: { dpi: 300, mode: 'gray', bitDepth: 8 },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', issues: [{ path: 'name' }] } });
  });

  it('injects a jam into a simulator; the alert stays until RESET', async () => {
    await online('sim-1');
    expect(
      await call.operator('devices.injectFault', { name: 'sim-1', fault: { kind: 'jamAtPage', page: 1 } }),
    ).toMatchObject({ ok: true });
    const result = await station.devices.capture('sim-1', {
      jobId: 'J',
      pages: 2,
      dpi: 50,
      mode: 'gray',
      bitDepth: 8,
      mastersDir: `${station.layout.staging}/J/masters`,
    });
    expect(result.status).toBe('jammed');
    const jammed = station.devices.list().find((d) => d.name === 'sim-1');
    expect(jammed).toMatchObject({ state: 'JAMMED', alert: { code: 'ADF_JAM' } });
    expect(await call.operator('devices.reset', { name: 'sim-1' })).toMatchObject({
      ok: true,
      output: { alert: null },
    });
    expect(
      await call.operator('devices.injectFault', { name: 'nope', fault: { kind: 'clear' } }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
