import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Transmission } from '../../electron/scanner/simulator/sim-faults';
import type { Station } from '../../electron/station';
import { exampleManifest } from './manifest';
import type { SoakStationConfig } from './soak-station';

/** A small grey manifest for a named device: pages of about 1 MB, quick to make and to check. */
export function soakManifest(batchId: string, device: string, pages: number): Record<string, unknown> {
  return exampleManifest({
    batch_id: batchId,
    device,
    expected_pages: pages,
    file_count: pages,
    scanner_profile: { dpi: 100, mode: 'gray', bit_depth: 8, colour_profile: 'Gray Gamma 2.2' },
  });
}

export interface StationLife {
  child: ChildProcess;
  /** Every JSON line the station printed so far. */
  lines: Record<string, unknown>[];
  /** Resolves on the first line for which `predicate` holds (or rejects when the process ends first). */
  until(
    predicate: (line: Record<string, unknown>, index: number) => boolean,
  ): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts test/helpers/soak-station.ts as its own process (so it can be SIGKILLed). */
export function startStationProcess(config: SoakStationConfig, dir: string): StationLife {
  const file = path.join(dir, 'station-config.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/soak-station.ts', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let waiters: {
    predicate: (l: Record<string, unknown>, index: number) => boolean;
    resolve: (l: Record<string, unknown>) => void;
    reject: (e: Error) => void;
  }[] = [];
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    waiters = waiters.filter((w) => {
      if (!w.predicate(line, lines.length - 1)) return true;
      w.resolve(line);
      return false;
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) =>
      child.on('exit', (code, signal) => {
        waiters.forEach((w) =>
          w.reject(new Error(`the station exited (${code ?? signal}) first:\n${stderr.slice(-2000)}`)),
        );
        waiters = [];
        resolve({ code, signal, stderr });
      }),
  );
  return {
    child,
    lines,
    exited,
    until: (predicate) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((line, index) => predicate(line, index));
        if (seen) resolve(seen);
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(new Error('the station has exited'));
        else waiters.push({ predicate, resolve, reject });
      }),
  };
}

/**
 * What the scanner sent against what the batch kept: every page of the batch is one intact
 * transmission of that batch, none twice, and each run of the scanner filled the slots that
 * were vacant when it started, in order (so nothing is misnumbered). Returns the problems.
 */
export function compareWithTransmissions(
  station: Station,
  batchId: string,
  expected: number,
  sent: readonly Transmission[],
): string[] {
  const problems: string[] = [];
  const rows = station.pipeline.store.pages(batchId);
  const numbers = rows.map((r) => r.page);
  if (numbers.join() !== Array.from({ length: expected }, (_, i) => i + 1).join())
    problems.push(`${batchId}: pages ${numbers.join(',')}, expected 1..${expected}`);
  const ofBatch = sent.filter((t) => t.job === batchId);
  const origin = new Map<number, Transmission>();
  for (const row of rows) {
    const from = ofBatch.filter((t) => t.sha256 === row.sha256);
    if (from.length !== 1) problems.push(`${batchId} page ${row.page}: matches ${from.length} transmissions`);
    else if (!from[0]!.intact)
      problems.push(`${batchId} page ${row.page}: kept a transmission that was not intact`);
    else origin.set(row.page, from[0]!);
  }
  const filled = new Set<number>();
  for (const run of [...new Set([...origin.values()].map((t) => t.run))].sort((a, b) => a - b)) {
    const vacant = Array.from({ length: expected }, (_, i) => i + 1).filter((n) => !filled.has(n));
    for (const [page, t] of origin) {
      if (t.run !== run) continue;
      if (vacant[t.page - 1] !== page)
        problems.push(
          `${batchId} page ${page}: the scanner's page ${t.page} of run ${run} belonged in slot ${vacant[t.page - 1]}`,
        );
    }
    for (const [page, t] of origin) if (t.run === run) filled.add(page);
  }
  return problems;
}

/** Resolves once the batch's staging holds at least `count` masters under final names (watched, not polled). */
export function untilStagedMasters(dataDir: string, batchId: string, count: number): Promise<number> {
  const masters = path.join(dataDir, 'staging', batchId, 'masters');
  const staged = () => {
    try {
      return readdirSync(masters).filter((n) => n.endsWith('.tif')).length;
    } catch {
      return 0;
    }
  };
  mkdirSync(dataDir, { recursive: true });
  return new Promise((resolve) => {
    const watcher = watch(dataDir, { recursive: true }, () => {
      const n = staged();
      if (n >= count) {
        watcher.close();
        resolve(n);
      }
    });
    const n = staged();
    if (n >= count) {
      watcher.close();
      resolve(n);
    }
  });
}
