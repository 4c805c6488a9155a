import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ScanLinkDevice } from '../../../electron/scanner/scanlink/scanlink-device';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { TraceRecorder } from '../../../electron/scanner/scanlink/trace';
import { TraceReplayer } from '../../../electron/scanner/scanlink/trace-replay';
import { makeTempDir } from '../../helpers/temp-dir';

describe('trace record and replay', () => {
  const dir = makeTempDir();
  afterEach(() => undefined);

  async function captureFrom(port: number, trace: TraceRecorder | undefined, masters: string, pages: number) {
    const device = new ScanLinkDevice({
      config: { name: 'd', host: '127.0.0.1', port, profile: { dpi: 100, mode: 'gray', bitDepth: 8 } },
      trace,
      readyTimeoutMs: 5000,
    });
    device.connect();
    const result = await device.capture({
      jobId: 'J',
      pages,
      dpi: 100,
      mode: 'gray',
      bitDepth: 8,
      mastersDir: masters,
    });
    device.disconnect();
    return result;
  }

  it('records frames as JSON lines with DATA summarised, and replays the session as a peer', async () => {
    const sim = new ScanLinkSimulator({
      sheets: 5,
      pageWidthInches: 0.5,
      pageHeightInches: 0.5,
      dataFrameBytes: 1000,
      faults: [{ kind: 'corruptChecksum', page: 2 }],
    });
    const port = await sim.start();
    const file = path.join(dir.path, 'session.jsonl');
    const trace = new TraceRecorder(file);
    const original = await captureFrom(port, trace, path.join(dir.path, 'a'), 3);
    await trace.close();
    await sim.stop();

    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const data = lines.filter((l) => l.type === 0x44);
    expect(data.length).toBeGreaterThan(0);
    for (const l of data) {
      expect(l).toHaveProperty('dataBytes');
      expect(l.runningSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(l).not.toHaveProperty('json');
    }
    expect(lines.some((l) => l.dir === 'out' && l.type === 0x10)).toBe(true);

    const replayer = new TraceReplayer(file, { speed: 100 });
    const replayPort = await replayer.start();
    const replayed = await captureFrom(replayPort, undefined, path.join(dir.path, 'b'), 3);
    await replayer.stop();
    // The same story: page 2 corrupt, pages 1 and 3 good, with the same sizes.
    expect(original.checksumMismatches.map((m) => m.page)).toEqual([2]);
    expect(replayed.checksumMismatches.map((m) => m.page)).toEqual([2]);
    expect(replayed.pages.map((p) => [p.page, p.bytes])).toEqual(
      original.pages.map((p) => [p.page, p.bytes]),
    );
    dir.cleanup();
  });
});
