import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { contractCallers } from '../../helpers/contract-caller';
import { exampleManifest } from '../../helpers/manifest';
import { makeTestStation } from '../../helpers/station';

describe('a batch whose profile the scanner cannot honour', () => {
  let station: Station;
  let dispose: () => Promise<void>;
  let call: Awaited<ReturnType<typeof contractCallers>>;

  beforeEach(async () => {
    ({ station, dispose } = await makeTestStation({ simulators: 1 }));
    call = await contractCallers(station);
  });
  afterEach(async () => dispose());

  const described = () =>
    new Promise<DeviceStatus>((resolve) => {
      const now = station.devices.list().find((d) => d.name === 'sim-1');
      if (now?.capabilities) return resolve(now);
      const unsubscribe = station.events.subscribe((e) => {
        if (e.name === 'device.status' && e.payload.name === 'sim-1' && e.payload.capabilities) {
          unsubscribe();
          resolve(e.payload);
        }
      });
    });

  it('is refused before anything is stored or started, naming the scanner’s limits', async () => {
    const status = await described();
    expect(status.capabilities).toMatchObject({ resolutionRange: { max: 1200 }, formats: ['tiff'] });
    const manifest = exampleManifest({
      batch_id: 'TOO-FINE',
      scanner_profile: { dpi: 2400, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' },
    });
    const result = await call.operator('batches.create', { manifest });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: expect.stringMatching(
          /sim-1 cannot scan this profile \(2400 dpi\)\. Its limits: resolutions any of 1–1200 dpi/,
        ),
      },
    });
    expect(station.pipeline.store.summary('TOO-FINE')).toBeFalsy();
  });

  it('a profile within the limits is accepted', async () => {
    await described();
    const result = await call.operator('batches.create', { manifest: exampleManifest({ batch_id: 'FITS' }) });
    expect(result).toMatchObject({ ok: true });
  });
});
