import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { Station, StationOptions } from '../../../electron/station';
import { stationEndpoint } from '../../../electron/transport/station-endpoint';
import { startBridge, type Bridge } from '../../../electron/transport/ws-bridge';
import { makeTestStation } from '../../helpers/station';
import { browserE2eUnavailableReason, RENDERER_BUNDLE, RESULTS_DIR } from './environment';

/**
 * The real renderer bundle in Debian's Chromium, talking over the real bridge to a real station
 * core on a fresh data folder. Nothing is mocked.
 */
export interface ConsoleFixture {
  station: Station;
  bridge: Bridge;
  /** Opens the console in the page and waits until it is connected. */
  open(): Promise<void>;
  screenshot(name: string): Promise<string>;
}

export const test = base.extend<{ stationOptions: Partial<StationOptions>; quire: ConsoleFixture }>({
  stationOptions: [{}, { option: true }],
  quire: async ({ page, stationOptions }, use) => {
    const unavailable = browserE2eUnavailableReason();
    if (unavailable) process.stdout.write(`SKIPPED browser e2e: ${unavailable}\n`);
    test.skip(unavailable !== null, unavailable ?? '');
    const { station, dispose } = await makeTestStation(stationOptions);
    const bridge = await startBridge({
      ...stationEndpoint(station),
      staticRoot: RENDERER_BUNDLE,
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await use({
      station,
      bridge,
      async open() {
        await page.goto(bridge.appUrl);
        await expect(page.getByTestId('connection')).toHaveText(/Connected to station/);
      },
      async screenshot(name) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        const file = path.join(RESULTS_DIR, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
    });
    await bridge.close();
    await dispose();
    expect(pageErrors, 'errors thrown in the page').toEqual([]);
  },
});

export { expect };
