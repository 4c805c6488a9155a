import { stationEndpoint } from '../../electron/transport/station-endpoint';
import { startBridge, type Bridge } from '../../electron/transport/ws-bridge';
import { RENDERER_BUNDLE } from './support/environment';
import { expect, test, type ConsoleFixture } from './support/fixtures';

/** Starts a bridge again on the same port, as a restarted `quire serve` would. */
function restartBridge(quire: ConsoleFixture, token?: string): Promise<Bridge> {
  return startBridge({
    ...stationEndpoint(quire.station),
    staticRoot: RENDERER_BUNDLE,
    port: quire.bridge.port,
    token: token ?? quire.bridge.token,
  });
}

test.describe('the console survives reloads and restarts', () => {
  test('a reload keeps the session, and focus lands on the main heading', async ({ page, quire }) => {
    await quire.signInAs('operator');
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeFocused();
    await page.reload();
    await expect(page.getByTestId('current-user')).toContainText('Omar Operator');
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
    // The credential was used up: the same one cannot open a second session.
    const used = await page.evaluate(() => window.sessionStorage.getItem('quire.resume'));
    expect(used).toBeTruthy();
    await page.reload();
    await expect(page.getByTestId('current-user')).toContainText('Omar Operator');
  });

  test('a locked console stays locked after a reload; a signed-out one asks for sign-in', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('operator');
    await page.getByRole('button', { name: 'Lock' }).click();
    await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Console locked' })).toBeVisible();
    await page.getByRole('form').getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to Quire' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in to Quire' })).toBeVisible();
  });

  test('while the station is away live values are dimmed with their age; it reconnects on its own', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('supervisor');
    await quire.bridge.close();
    await expect(page.getByTestId('connection')).toContainText('unreachable');
    await expect(page.getByTestId('last-seen')).toContainText(/last seen \d+ s ago/);
    await expect(page.getByTestId('main')).toHaveClass(/app__main--stale/);
    await expect(page.getByText('Not connected: the figures below are not current.')).toBeVisible();
    await quire.screenshot('station-unreachable-1440');
    await page.setViewportSize({ width: 1024, height: 640 });
    await quire.screenshot('station-unreachable-1024');
    const again = await restartBridge(quire);
    try {
      await expect(page.getByTestId('connection')).toHaveText(/Connected to station/);
      await expect(page.getByTestId('current-user')).toContainText('Sofia Supervisor');
      await expect(page.getByTestId('main')).not.toHaveClass(/app__main--stale/);
    } finally {
      await again.close();
    }
  });

  test('in browser mode a station restarted with a new token asks for the new link', async ({
    page,
    quire,
  }) => {
    await quire.signInAs('operator');
    await quire.bridge.close();
    const again = await restartBridge(quire, 'a-brand-new-token-for-the-restarted-station');
    try {
      await expect(page.getByTestId('connection')).toContainText('The station restarted — open the new link');
      await quire.screenshot('station-restarted-new-link');
    } finally {
      await again.close();
    }
  });
});
