import path from 'node:path';
import { _electron as electron } from '@playwright/test';
import { makeTempDir } from '../helpers/temp-dir';
import { electronBinary, REPO_ROOT } from './support/environment';
import { expect, test } from '@playwright/test';

/**
 * The packaged shell's security properties, in the real Electron binary. Offline installs skip
 * the binary's download, so these run on a workstation that has it and are skipped here with
 * the reason printed.
 */
const binary = electronBinary();
if ('reason' in binary) process.stdout.write(`SKIPPED Electron e2e: ${binary.reason}\n`);

test.describe('the Electron shell', () => {
  test.skip('reason' in binary, 'reason' in binary ? binary.reason : '');

  async function launch() {
    const data = makeTempDir('quire-electron-');
    const app = await electron.launch({
      executablePath: 'path' in binary ? binary.path : '',
      args: [path.join(REPO_ROOT, 'dist', 'electron', 'main.cjs')],
      env: { ...process.env, QUIRE_DATA_DIR: data.path, QUIRE_SIMULATORS: '0' },
    });
    return { app, data };
  }

  test('opens the console with isolation, sandbox and no Node in the page', async () => {
    const { app, data } = await launch();
    const appWindow = await app.firstWindow();
    await expect(appWindow.getByTestId('connection')).toContainText('Connected to station');
    expect(await appWindow.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    );
    expect(await appWindow.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
      'undefined',
    );
    expect(
      await appWindow.evaluate(() => Object.keys((globalThis as unknown as { quire: object }).quire).sort()),
    ).toEqual(['invoke', 'onEvent']);
    await app.close();
    data.cleanup();
  });

  test('denies window.open and navigation away from the app', async () => {
    const { app, data } = await launch();
    const appWindow = await app.firstWindow();
    await appWindow.evaluate(() => window.open('https://example.com'));
    await appWindow.evaluate(() => {
      window.location.href = 'https://example.com';
    });
    expect(app.windows()).toHaveLength(1);
    expect(appWindow.url()).toMatch(/^app:\/\/quire\//);
    await app.close();
    data.cleanup();
  });

  test('answers an unknown command and a bad payload with typed errors', async () => {
    const { app, data } = await launch();
    const appWindow = await app.firstWindow();
    const results = await appWindow.evaluate(async () => {
      const api = (globalThis as unknown as { quire: { invoke(c: string, i: unknown): Promise<unknown> } })
        .quire;
      return [await api.invoke('station.nope', {}), await api.invoke('station.info', { x: 1 })];
    });
    expect(results).toMatchObject([
      { ok: false, error: { code: 'UNKNOWN_COMMAND' } },
      { ok: false, error: { code: 'INVALID_INPUT' } },
    ]);
    await app.close();
    data.cleanup();
  });
});
