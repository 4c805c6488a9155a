import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { CaptureRequest } from '../../../electron/scanner/device';
import { EsclDevice, type EsclTuning } from '../../../electron/scanner/escl/index';
import {
  startEsclSimulator,
  type EsclSimulator,
  type EsclSimulatorOptions,
} from '../../../electron/scanner/simulator/escl/index';
import { makeTempDir } from '../../helpers/temp-dir';

/** Small pages keep the suite quick; the bytes are still real images. */
export const SMALL_PAGES: EsclSimulatorOptions = { pageWidthInches: 0.5, pageHeightInches: 0.75 };

/** Waits are capped short: the faults are real, the patience is not. */
export const FAST: Partial<EsclTuning> = { retryBaseMs: 5, retryCapMs: 40, pollMs: 50, resetTimeoutMs: 5000 };

export interface Rig {
  sim: EsclSimulator;
  device: EsclDevice;
  masters: string;
  request(overrides?: Partial<CaptureRequest>): CaptureRequest;
  close(): Promise<void>;
}

export async function rig(
  simOptions: EsclSimulatorOptions = {},
  tuning: Partial<EsclTuning> = {},
  address?: (sim: EsclSimulator) => string,
  pin?: string,
): Promise<Rig> {
  const dir = makeTempDir('quire-escl-');
  const sim = await startEsclSimulator({ ...SMALL_PAGES, requireHostWithPort: true, ...simOptions });
  const device = new EsclDevice(
    {
      name: 'escl-1',
      address: address ? address(sim) : sim.url,
      profile: { dpi: 300, mode: 'color', bitDepth: 8 },
      simulated: true,
      pinnedCertificateSha256: pin,
    },
    { ...FAST, ...tuning },
  );
  const masters = path.join(dir.path, 'J', 'masters');
  return {
    sim,
    device,
    masters,
    request: (overrides = {}) => ({
      jobId: 'J',
      pages: null,
      dpi: 300,
      mode: 'color',
      bitDepth: 8,
      mastersDir: masters,
      ...overrides,
    }),
    close: async () => {
      await device.close();
      await sim.stop();
      dir.cleanup();
    },
  };
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file in the masters folder, sorted: finals and anything left behind. */
export function listMasters(masters: string): string[] {
  try {
    return readdirSync(masters).sort();
  } catch {
    return [];
  }
}

/**
 * The oracle: the masters are exactly the documents the simulator sent whole, in the order it
 * sent them, each once and byte for byte (hashed here from disk), numbered 1..N with the
 * extension of their real format, and nothing else is in the folder.
 */
export function expectMastersMatchSent(r: Rig, extension = 'tif'): void {
  const sent = r.sim.completeDocuments();
  const names = listMasters(r.masters);
  expect(names).toEqual(sent.map((_, i) => `page-${String(i + 1).padStart(4, '0')}.${extension}`));
  names.forEach((name, i) => {
    expect(sha256(readFileSync(path.join(r.masters, name))), name).toBe(sent[i]!.sha256);
  });
  expect(new Set(sent.map((d) => d.sha256)).size).toBe(sent.length);
}
