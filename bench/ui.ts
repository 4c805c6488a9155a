// npm run bench -- ui
// The console's frame times in Debian's Chromium while 16 simulated scanners stream status
// (10 updates a second each, before coalescing) and 10,000 batches are queued: the Devices
// view live, then the Queue view flung end to end at 10,000 px/s (about 230 rows a second).
// Goal: p95 frame time ≤ 16 ms under load, as the median of at least 3 rounds (spread beside it).
//
// Frame time: vsync and the frame-rate cap are off and a 1-px probe changes every frame, so
// Chromium draws each frame as soon as the last one is done and a requestAnimationFrame
// interval is what one frame really took: script, style, layout, paint and raster. (With the
// cap on, every interval is at least 16.7 ms whatever the page does; without the probe, a frame
// with nothing to draw is skipped and the interval measures the idle timer instead.)
// Baselines in the same run: the same views with the station idle, and the browser alone
// scrolling a static HTML table of the same 10,000 rows at the same speed (no script at all).
import { chromium, type Page } from 'playwright-core';
import { createStation } from '../electron/station';
import { silentLogger } from '../electron/core/logger';
import { startBridge } from '../electron/transport/ws-bridge';
import { stationEndpoint } from '../electron/transport/station-endpoint';
import { CHROMIUM_ARGS, CHROMIUM_PATH, RENDERER_BUNDLE } from '../test/e2e/support/environment';
import { makeTempDir } from '../test/helpers/temp-dir';
import { recordConditions } from './support/conditions';
import { ROUNDS, summary } from './support/rounds';

const scale = Number(process.env.QUIRE_BENCH_SCALE ?? 1);
const devices = Math.max(2, Math.round(16 * Math.min(1, scale * 4)));
const batches = Math.max(500, Math.round(10_000 * scale));
const seconds = Math.max(2, Math.round(5 * Math.min(1, scale * 4)));

const FLING_PX_PER_SECOND = 10_000;

interface FrameTimes {
  p50: number;
  p95: number;
  p99: number;
  frames: number;
}

/** Records frame times (see the header) in the page while `action` runs. */
async function frameTimes(page: Page, action: () => Promise<void>): Promise<FrameTimes> {
  // Plain strings: functions would carry the TypeScript loader's helpers into the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    const probe = document.createElement('div');
    probe.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none';
    document.body.appendChild(probe);
    let odd = false;
    let last = performance.now();
    const tick = (t) => {
      odd = !odd;
      probe.style.background = odd ? '#000' : '#fff';
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
      else probe.remove();
    };
    requestAnimationFrame(tick);
  })()`);
  await action();
  const frames = (await page.evaluate(
    '(() => { window.__stop = true; return window.__frames.slice(2); })()',
  )) as number[];
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number) => Number((sorted[Math.floor(sorted.length * q)] ?? 0).toFixed(2));
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), frames: frames.length };
}

/** Scrolls `selector` at a steady speed, wrapping at the end, for `seconds`, measuring frames. */
async function fling(page: Page, selector: string): Promise<FrameTimes> {
  return frameTimes(page, async () => {
    await page.evaluate(`(() => {
      const body = document.querySelector(${JSON.stringify(selector)});
      const end = body.scrollHeight - body.clientHeight;
      let top = 0;
      let previous = performance.now();
      window.__fling = true;
      const step = (t) => {
        const distance = (${FLING_PX_PER_SECOND} * (t - previous)) / 1000;
        previous = t;
        top = top + distance > end ? 0 : top + distance;
        body.scrollTop = top;
        if (window.__fling) requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    })()`);
    await page.waitForTimeout(seconds * 1000);
    await page.evaluate('window.__fling = false');
  });
}

// Without vsync and the frame-rate cap, a rAF interval is the time one frame really takes.
const launchBrowser = () =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--disable-gpu-vsync', '--disable-frame-rate-limit'],
    headless: true,
  });

/** The browser alone: a static table of the same rows, same size and speed, no script. */
async function staticTableBaseline(): Promise<FrameTimes> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const rows = Array.from(
    { length: batches },
    (_, i) =>
      `<div class="r"><span>B${String(i).padStart(5, '0')}</span><span>sim-${(i % devices) + 1}</span>` +
      `<span>Capturing</span><span>0 of 40</span><span>0</span><span>1 min</span></div>`,
  ).join('');
  await page.setContent(
    `<style>body{margin:0;font:15px system-ui,sans-serif}#t{position:absolute;top:330px;left:230px;` +
      `right:30px;bottom:30px;overflow:auto}.r{height:44px;display:grid;align-items:center;` +
      `grid-template-columns:1.4fr 110px 130px 1fr 90px 80px;border-bottom:1px solid #d9dee5}` +
      `.r span{padding:0 12px}</style><div id="t">${rows}</div>`,
  );
  const times = await fling(page, '#t');
  await browser.close();
  return times;
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
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(bridge.appUrl);
  await page.getByLabel('Username').fill('bench');
  await page.getByLabel('Password').fill('benchmark passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('device-sim-1').waitFor();
  const devicesView = await frameTimes(page, () => page.waitForTimeout(seconds * 1000));
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  await page.getByText(`${batches} batches`).waitFor({ timeout: 60_000 });
  const queueView = await fling(page, '.vtable__body');
  await browser.close();
  await bridge.close();
  await station.close();
  dir.cleanup();
  return { devicesView, queueView };
}

const conditions = await recordConditions();
// Rounds (at least 3), each: the static table, the idle station, the loaded station. The figure
// is the median over rounds of each p95, with the spread; a best round is never the figure.
const rounds: {
  baseline: FrameTimes;
  idle: Awaited<ReturnType<typeof measure>>;
  loaded: Awaited<ReturnType<typeof measure>>;
}[] = [];
for (let i = 1; i <= ROUNDS; i++) {
  process.stderr.write(`round ${i} of ${ROUNDS}…\n`);
  rounds.push({
    baseline: await staticTableBaseline(),
    idle: await measure(false),
    loaded: await measure(true),
  });
}
const worstLoaded = rounds.map((r) => Math.max(r.loaded.devicesView.p95, r.loaded.queueView.p95));
const p95QueueLoaded = summary(
  rounds.map((r) => r.loaded.queueView.p95),
  1,
);
console.log(
  JSON.stringify({
    bench: 'ui',
    measures: 'p95 frame time scrolling the queue under streaming scanners (Chromium, vsync off)',
    devices,
    batches,
    flingPxPerSecond: FLING_PX_PER_SECOND,
    rounds: ROUNDS,
    p95FrameMsQueueScrollLoaded: p95QueueLoaded.median,
    p95FrameMsQueueScrollLoadedSpread: [p95QueueLoaded.min, p95QueueLoaded.max],
    goalP95FrameMs: 16,
    p95FrameMsDevicesLoaded: summary(
      rounds.map((r) => r.loaded.devicesView.p95),
      1,
    ),
    p50FrameMsQueueScrollLoaded: summary(
      rounds.map((r) => r.loaded.queueView.p50),
      1,
    ),
    p99FrameMsQueueScrollLoaded: summary(
      rounds.map((r) => r.loaded.queueView.p99),
      1,
    ),
    p95FrameMsDevicesIdle: summary(
      rounds.map((r) => r.idle.devicesView.p95),
      1,
    ),
    p95FrameMsQueueScrollIdle: summary(
      rounds.map((r) => r.idle.queueView.p95),
      1,
    ),
    p95FrameMsStaticTableScroll: summary(
      rounds.map((r) => r.baseline.p95),
      1,
    ),
    ratioLoadedVsStaticTable: summary(
      rounds.map((r) => r.loaded.queueView.p95 / r.baseline.p95),
      2,
    ),
    ratioLoadedVsIdle: summary(
      rounds.map((r, i) => worstLoaded[i]! / Math.max(r.idle.devicesView.p95, r.idle.queueView.p95)),
      2,
    ),
    conditions: await conditions(),
  }),
);
process.exit(0);
