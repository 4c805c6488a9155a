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
  /** Creates the accounts in the core (test setup), then signs in through the console's form. */
  signInAs(role: 'operator' | 'supervisor'): Promise<void>;
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
      async signInAs(role) {
        await ensureAccounts(station);
        await this.open();
        const who = TEST_ACCOUNTS[role];
        await page.getByLabel('Username').fill(who.username);
        await page.getByLabel('Password').fill(who.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByTestId('current-user')).toContainText(who.displayName);
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

export const TEST_ACCOUNTS = {
  supervisor: {
    username: 'sofia',
    displayName: 'Sofia Supervisor',
    password: 'supervisor passphrase',
    role: 'supervisor',
  },
  operator: {
    username: 'omar',
    displayName: 'Omar Operator',
    password: 'operator passphrase',
    role: 'operator',
  },
} as const;

export async function ensureAccounts(station: Station): Promise<void> {
  const existing = new Set((await station.auth.listAccounts()).map((a) => a.username));
  for (const account of Object.values(TEST_ACCOUNTS)) {
    if (!existing.has(account.username)) await station.auth.createAccount(account);
  }
}

export { expect };
