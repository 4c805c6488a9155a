// npm run bench -- ui
// The console's frame times in Debian's Chromium while 16 simulated scanners stream status
// (10 updates a second each, before coalescing) and 10,000 batches are queued: the Devices
// view live, then the Queue view scrolled end to end. Baseline in the same run: the same page
// and scroll with the station idle. Goal: p95 frame time < 16 ms under load.
import { chromium, type Page } from 'playwright-core';
import { createStation } from '../electron/station';
import { silentLogger } from '../electron/core/logger';
import { startBridge } from '../electron/transport/ws-bridge';
import { stationEndpoint } from '../electron/transport/station-endpoint';
import { CHROMIUM_ARGS, CHROMIUM_PATH, RENDERER_BUNDLE } from '../test/e2e/support/environment';
import { makeTempDir } from '../test/helpers/temp-dir';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const devices = Math.max(2, Math.round(16 * Math.min(1, scale * 4)));
const batches = Math.max(500, Math.round(10_000 * scale));
const seconds = Math.max(2, Math.round(5 * Math.min(1, scale * 4)));

/** Records requestAnimationFrame intervals in the page for a while; returns the p95 in ms. */
async function frameP95(page: Page, action: () => Promise<void>): Promise<{ p95: number; frames: number }> {
  // Plain strings: functions would carry the TypeScript loader's helpers into the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await action();
  const frames = (await page.evaluate(
    '(() => { window.__stop = true; return window.__frames.slice(2); })()',
  )) as number[];
  const sorted = [...frames].sort((a, b) => a - b);
  return { p95: Number((sorted[Math.floor(sorted.length * 0.95)] ?? 0).toFixed(2)), frames: frames.length };
}

async function measure(load: boolean) {
  const dir = makeTempDir('quire-bench-ui-');
  const station = await createStation({ dataDir: dir.path, logger: silentLogger(), simulators: devices });
  const now = Date.now();
  const insert = station.db.transaction(() => {
    for (let i = 0; i < batches; i++) {
      station.pipeline.store.insert({
        id: `B${String(i).padStart(5, '0')}`,
        device: `sim-${(i % devices) + 1}`,
        title: `Ledger ${i}`,
        accessionNumbers: [`${1900 + (i % 100)}.${i}`],
        operator: 'omar',
        manifest: {},
        manifestSha256: String(now),
        pagesExpected: 40,
      });
    }
  });
  insert();
  if (load)
    for (let i = 1; i <= devices; i++)
      station.devices.injectFault(`sim-${i}`, { kind: 'statusStorm', perSecond: 10 });
  await station.auth.createAccount({
    username: 'bench',
    displayName: 'Bench',
    password: 'benchmark passphrase',
    role: 'operator',
  });
  const bridge = await startBridge({ ...stationEndpoint(station), staticRoot: RENDERER_BUNDLE });
  // Without vsync and the frame-rate cap, a rAF interval is the time one frame really takes.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--disable-gpu-vsync', '--disable-frame-rate-limit'],
    headless: true,
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(bridge.appUrl);
  await page.getByLabel('Username').fill('bench');
  await page.getByLabel('Password').fill('benchmark passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('device-sim-1').waitFor();
  const devicesView = await frameP95(page, () => page.waitForTimeout(seconds * 1000));
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  await page.getByText(`${batches} batches`).waitFor({ timeout: 60_000 });
  const queueView = await frameP95(page, async () => {
    const body = page.locator('.vtable__body');
    for (let i = 0; i < seconds * 20; i++) {
      await body.evaluate((el, step) => (el.scrollTop += step), Math.ceil((batches * 44) / (seconds * 20)));
      await page.waitForTimeout(50);
    }
  });
  await browser.close();
  await bridge.close();
  await station.close();
  dir.cleanup();
  return { devicesView, queueView };
}

const idle = await measure(false);
const loaded = await measure(true);
const worst = Math.max(loaded.devicesView.p95, loaded.queueView.p95);
console.log(
  JSON.stringify({
    bench: 'ui',
    devices,
    batches,
    p95FrameMsDevicesLoaded: loaded.devicesView.p95,
    p95FrameMsQueueScrollLoaded: loaded.queueView.p95,
    p95FrameMsDevicesIdle: idle.devicesView.p95,
    p95FrameMsQueueScrollIdle: idle.queueView.p95,
    ratioLoadedVsIdle: Number((worst / Math.max(idle.devicesView.p95, idle.queueView.p95)).toFixed(2)),
    goalP95FrameMs: 16,
  }),
);
process.exit(0);
