import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEsclSimulator, type EsclSimulator } from '../../../electron/scanner/simulator/escl/index';
import { makeTempDir } from '../../helpers/temp-dir';

const run = promisify(execFile);

/** Why the real-client test cannot run here, or null when scanimage and sane-airscan are installed. */
function missing(): string | null {
  try {
    execFileSync('scanimage', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'scanimage (sane-utils) is not installed';
  }
  const libs = [
    '/usr/lib/x86_64-linux-gnu/sane',
    '/usr/lib/aarch64-linux-gnu/sane',
    '/usr/lib/sane',
    '/usr/local/lib/sane',
  ];
  if (!libs.some((dir) => existsSync(path.join(dir, 'libsane-airscan.so.1'))))
    return 'the sane-airscan backend (libsane-airscan) is not installed';
  return null;
}

const why = missing();
if (why) console.log(`skipping the sane-airscan test: ${why}`);

/**
 * The simulator's eSCL face is a real eSCL server: Debian's sane-airscan backend, driven by
 * scanimage with its own configuration (the simulator's URL, discovery off), scans every page.
 * sane-airscan 0.99 reads PNG and JPEG but not TIFF, so it chooses PNG from what the simulator offers.
 */
describe.skipIf(why !== null)('sane-airscan through scanimage against the simulated eSCL scanner', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sim: EsclSimulator;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = makeTempDir('quire-airscan-');
  });
  afterEach(async () => {
    await sim?.stop();
    dir.cleanup();
  });

  async function configure(simulator: EsclSimulator): Promise<string> {
    writeFileSync(path.join(dir.path, 'dll.conf'), 'airscan\n');
    writeFileSync(
      path.join(dir.path, 'airscan.conf'),
      `[devices]\n"Quire sim" = ${simulator.url}, eSCL\n\n[options]\ndiscovery = disable\n`,
    );
    env = { ...process.env, SANE_CONFIG_DIR: dir.path };
    const listed = await run('scanimage', ['-L'], { env, cwd: dir.path, timeout: 30_000 });
    const name = /device `([^']*Quire sim)'/.exec(listed.stdout)?.[1];
    expect(name, listed.stdout).toBeDefined();
    return name!;
  }

  async function scanBatch(device: string): Promise<string[]> {
    const out = path.join(dir.path, 'out');
    execFileSync('mkdir', ['-p', out]);
    await run(
      'scanimage',
      [
        '-d',
        device,
        '--source',
        'ADF',
        '--resolution',
        '150',
        '--mode',
        'Color',
        '--format=png',
        `--batch=${out}/page-%d.png`,
      ],
      { env, cwd: dir.path, timeout: 120_000 },
    );
    return readdirSync(out)
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
      .map((f) => path.join(out, f));
  }

  async function expectEveryPage(files: string[], sheets: number): Promise<void> {
    expect(files).toHaveLength(sheets);
    expect(sim.completeDocuments()).toHaveLength(sheets);
    expect(sim.sent.every((d) => d.format === 'image/png')).toBe(true);
    for (const file of files) {
      const meta = await sharp(file).metadata();
      // 1 × 1.5 inches at 150 dpi, as the simulator scanned it.
      expect({ width: meta.width, height: meta.height }).toEqual({ width: 150, height: 225 });
    }
  }

  it('scans every sheet in the feeder', async () => {
    sim = await startEsclSimulator({ sheets: 4, pageWidthInches: 1, pageHeightInches: 1.5 });
    const device = await configure(sim);
    await expectEveryPage(await scanBatch(device), 4);
  });

  it('scans every sheet through busy answers with Retry-After and chunked bodies', async () => {
    sim = await startEsclSimulator({
      sheets: 3,
      pageWidthInches: 1,
      pageHeightInches: 1.5,
      faults: [{ kind: 'chunked' }, { kind: 'busy', times: 2, retryAfterSeconds: 1 }],
    });
    const device = await configure(sim);
    await expectEveryPage(await scanBatch(device), 3);
  });
});
