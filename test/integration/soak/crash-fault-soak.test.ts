import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SimulatorFault } from '../../../shared/contract/index';
import { ScanLinkSimulator } from '../../../electron/scanner/simulator/simulator';
import { runCli } from '../../helpers/cli';
import {
  compareWithTransmissions,
  soakManifest,
  startStationProcess,
  type StationLife,
} from '../../helpers/soak-oracle';
import { makeTestStation } from '../../helpers/station';
import { makeTempDir } from '../../helpers/temp-dir';

/** A small, well-known PRNG, so that a seed replays the same soak. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.QUIRE_SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCANNERS = 3;
const BATCHES = 8;
const FINAL_LIFE_MS = 120_000;

/**
 * The crash-and-fault soak: batches on several scanners with random faults (jam, dropped link,
 * corrupt page, repeated page, garbage on the wire, a full disk), the station SIGKILLed at random moments and
 * started again, until every batch is completed; then `quire verify` and a check that each
 * package holds exactly the pages the scanners delivered, in order. Seeded; the seed is printed.
 */
describe('crash-and-fault soak', () => {
  const random = mulberry32(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  let dir: ReturnType<typeof makeTempDir>;
  const sims: ScanLinkSimulator[] = [];

  const randomFault = (): SimulatorFault => {
    const page = between(1, 4);
    return pick<SimulatorFault>([
      { kind: 'jamAtPage', page },
      { kind: 'dropMidPage', page },
      { kind: 'corruptChecksum', page },
      { kind: 'duplicatePage', page },
      { kind: 'garbageAfterPage', page },
    ]);
  };

  beforeAll(async () => {
    process.stdout.write(
      `crash-and-fault soak seed ${SEED} (replay: QUIRE_SOAK_SEED=${SEED} npx vitest run test/integration/soak)\n`,
    );
    dir = makeTempDir('quire-soak-');
    for (let i = 0; i < SCANNERS; i++) {
      const sim = new ScanLinkSimulator({
        sheets: null,
        feedMs: between(10, 40),
        captureMs: 5,
        stampPages: true,
        oneShotFaults: true,
      });
      await sim.start();
      sims.push(sim);
    }
  });
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    // QUIRE_SOAK_KEEP=1 keeps the station's folder for a post-mortem.
    if (process.env.QUIRE_SOAK_KEEP) process.stdout.write(`soak data kept in ${dir.path}\n`);
    else dir.cleanup();
  });

  it(
    'every package holds exactly the pages delivered, in order, after faults and kills',
    { timeout: 170_000 },
    async () => {
      const dataDir = path.join(dir.path, 'station');
      const batches = Array.from({ length: BATCHES }, (_, i) => ({
        id: `SOAK-${i + 1}`,
        device: `scanner-${(i % SCANNERS) + 1}`,
        pages: between(3, 9),
      }));
      const config = {
        dataDir,
        devices: sims.map((s, i) => ({ name: `scanner-${i + 1}`, port: s.port })),
        batches: batches.map((b) => soakManifest(b.id, b.device, b.pages)),
      };
      const story: string[] = [];
      for (const sim of sims) {
        const fault = randomFault();
        sim.inject(fault);
        story.push(`fault ${JSON.stringify(fault)}`);
      }

      const kills = between(3, 6);
      let life: StationLife | null = null;
      for (let k = 0; k < kills; k++) {
        const diskFull = random() < 0.35;
        if (diskFull) story.push('a full disk in this life');
        life = startStationProcess({ ...config, diskFull }, dir.path);
        const after = between(2, 40);
        const reached = await Promise.race([
          life.until((_, index) => index >= after).then(() => 'killed' as const),
          life.exited.then(() => 'exited' as const),
        ]);
        if (reached === 'exited') break;
        life.child.kill('SIGKILL');
        await life.exited;
        story.push(`killed after ${after} lines`);
        const sim = pick(sims);
        const fault = randomFault();
        sim.inject(fault);
        story.push(`fault ${JSON.stringify(fault)} on ${sims.indexOf(sim) + 1}`);
        life = null;
      }
      // The last life has a full disk too, sometimes: it must still finish once space returns.
      const diskFullAtEnd = random() < 0.35;
      if (diskFullAtEnd) story.push('a full disk in the last life');
      life ??= startStationProcess({ ...config, diskFull: diskFullAtEnd }, dir.path);
      const final = life;
      const deadline = setTimeout(() => final.child.kill('SIGKILL'), FINAL_LIFE_MS);
      const exit = await final.exited;
      clearTimeout(deadline);
      const requeues = final.lines.filter((l) => l.requeued).length;
      const diskFullSeen = final.lines.some((l) => l.diskFull);
      story.push(
        `${requeues} requeue(s) in the last life${diskFullSeen ? ', a full disk seen and cleared' : ''}`,
      );
      process.stdout.write(`soak ${SEED}: ${story.join('; ')}\n`);
      const db = new Database(path.join(dataDir, 'quire.db'), { readonly: true });
      const stages = db.prepare('SELECT id, stage, pages_done, last_error FROM batches ORDER BY id').all();
      const jobs = db
        .prepare(
          "SELECT type, queue, state, attempts, last_error FROM queue_jobs WHERE state NOT IN ('completed', 'cancelled') ORDER BY rowid",
        )
        .all();
      db.close();
      const context = `seed ${SEED}; ${story.join('; ')}; batches ${JSON.stringify(stages)}; open jobs ${JSON.stringify(jobs)}; last lines ${JSON.stringify(final.lines.slice(-6))}; ${exit.stderr.slice(-1500)}`;
      expect(exit.code, context).toBe(0);

      const { station, dispose } = await makeTestStation({ dataDir });
      try {
        const sent = sims.flatMap((s) => s.pagesSent);
        const problems = batches.flatMap((b) => compareWithTransmissions(station, b.id, b.pages, sent));
        expect(problems, context).toEqual([]);
      } finally {
        await dispose();
      }
      const verify = await runCli(['verify', '--data', dataDir]).done;
      expect(verify.json, context).toMatchObject({ ok: true, findings: [] });
      expect(verify.code).toBe(0);
    },
  );
});
