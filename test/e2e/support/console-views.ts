import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './environment';

/** No serious or critical axe violation on the page as it stands. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** The view at the usual size (1440×900) and at the window's minimum (1024×640), kept as artefacts. */
export async function screenshotBothSizes(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const before = page.viewportSize();
  for (const [width, height] of [
    [1440, 900],
    [1024, 640],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(RESULTS_DIR, `${name}-${width}x${height}.png`) });
  }
  if (before) await page.setViewportSize(before);
}

/**
 * Records desktop notifications and alert tones in the page (window.__quireNotes, __quireTones):
 * the browser under test has no desktop to show them on.
 */
export async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __quireNotes: string[]; __quireTones: number };
    w.__quireNotes = [];
    w.__quireTones = 0;
    class RecordedNotification {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        w.__quireNotes.push(`${title} | ${options?.body ?? ''}`);
      }
    }
    class RecordedAudio {
      currentTime = 0;
      destination = {};
      createOscillator() {
        return {
          frequency: { value: 0 },
          connect: (n: unknown) => n,
          start: () => (w.__quireTones += 1),
          stop: () => {},
          onended: null,
        };
      }
      createGain() {
        return { gain: { value: 0 }, connect: (n: unknown) => n };
      }
      close() {
        return Promise.resolve();
      }
    }
    Object.assign(window, { Notification: RecordedNotification, AudioContext: RecordedAudio });
  });
}
