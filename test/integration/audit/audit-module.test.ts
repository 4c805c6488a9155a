import Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../shared/contract/index';
import { createAuditModule, type AuditModule } from '../../../electron/audit/module';
import type { Clock } from '../../../electron/core/clock';
import { EventBus } from '../../../electron/core/event-bus';
import { silentLogger } from '../../../electron/core/logger';
import { ensureDataDir, openDatabase, type Db } from '../../../electron/storage/index';
import { makeTempDir } from '../../helpers/temp-dir';
import { requireXmllint, validateXml } from '../../helpers/xmllint';

/** A clock the test moves by hand: event times are exact, with no sleeping. */
function manualClock(start: string) {
  let now = Date.parse(start);
  const clock: Clock = { now: () => now, setTimeout: () => ({}), clearTimeout: () => {} };
  return { clock, advanceHours: (h: number) => (now += h * 3_600_000) };
}

describe('audit module', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Db;
  let audit: AuditModule;
  let events: EventBus;
  let time: ReturnType<typeof manualClock>;
  let stationName: string;

  beforeEach(async () => {
    dir = makeTempDir('quire-audit-');
    const layout = ensureDataDir(dir.path);
    db = openDatabase(layout.database);
    events = new EventBus();
    time = manualClock('2025-03-01T10:00:00.000Z');
    stationName = 'Station 1, Digitization Lab';
    const core = { layout, db, events, logger: silentLogger(), clock: time.clock };
    audit = await createAuditModule(core, { station: () => stationName, exportPageSize: 2 });
  });
  afterEach(() => {
    db.close();
    dir.cleanup();
  });

  const seed = () => {
    audit.record({
      type: 'capture',
      outcome: 'success',
      detail: 'page 1 on sim-1',
      object: 'MS_1/masters/page-0001.tif',
      person: 'omar',
    });
    time.advanceHours(24);
    audit.record({
      type: 'validation',
      outcome: 'failure',
      detail: '2 QC errors: SKEW',
      object: 'MS_1',
      person: 'system',
    });
    stationName = 'Station 2, Digitization Lab';
    time.advanceHours(24);
    audit.record({
      type: 'quarantine',
      outcome: 'quarantined',
      detail: 'Image QC failed',
      object: 'MSX1',
      person: 'system',
    });
    audit.record({
      type: 'unquarantine',
      outcome: 'released',
      detail: 'false positive',
      object: 'MSX1',
      person: 'sofia',
    });
  };

  it('stores each event with the three agents, the clock time and the hash of the one before', () => {
    const seen: AnyEvent[] = [];
    events.subscribe((e) => seen.push(e));
    seed();
    const all = audit.list({}).items.reverse();
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(all[0]).toMatchObject({
      at: '2025-03-01T10:00:00.000Z',
      agents: {
        software: expect.stringMatching(/^Quire \d+\.\d+\.\d+/),
        station: 'Station 1, Digitization Lab',
        person: 'omar',
      },
    });
    expect(all[2]!.agents.station).toBe('Station 2, Digitization Lab');
    expect(all[1]!.prevHash).toBe(all[0]!.hash);
    expect(
      seen.filter((e) => e.name === 'audit.appended').map((e) => (e.payload as { seq: number }).seq),
    ).toEqual([1, 2, 3, 4]);
    expect(audit.verify()).toEqual({ ok: true, checked: 4, firstBrokenSeq: null, reason: null });
  });

  it('filters by type, object (literally, with its files), agent, person, outcome, dates and text, and pages', () => {
    seed();
    const seqs = (f: Parameters<AuditModule['list']>[0]) => audit.list(f).items.map((e) => e.seq);
    expect(seqs({ type: 'quarantine' })).toEqual([3]);
    // "_" is not a wildcard: MS_1 does not match MSX1.
    expect(seqs({ object: 'MS_1' })).toEqual([2, 1]);
    expect(seqs({ object: 'MS_1/masters/page-0001.tif' })).toEqual([1]);
    expect(seqs({ agent: 'Station 2, Digitization Lab' })).toEqual([4, 3]);
    expect(seqs({ agent: 'sofia' })).toEqual([4]);
    expect(seqs({ person: 'system' })).toEqual([3, 2]);
    expect(seqs({ outcome: 'failure' })).toEqual([2]);
    expect(seqs({ from: '2025-03-02' })).toEqual([4, 3, 2]);
    expect(seqs({ to: '2025-03-02' })).toEqual([2, 1]);
    expect(seqs({ from: '2025-03-02T13:00:00+02:00', to: '2025-03-03T10:00:00Z' })).toEqual([4, 3]);
    expect(seqs({ text: 'qc err' })).toEqual([2]);
    expect(seqs({ text: '%' })).toEqual([]);
    expect(audit.list({ limit: 2, offset: 1 })).toMatchObject({ total: 4, items: [{ seq: 3 }, { seq: 2 }] });
    expect(audit.forObject('MSX1').map((e) => e.seq)).toEqual([3, 4]);
  });

  it('refuses to move the recorded head back or remove it', () => {
    seed();
    expect(() => db.prepare('UPDATE audit_head SET seq = 2').run()).toThrow(/forward/);
    expect(() => db.prepare('DELETE FROM audit_head').run()).toThrow(/never removed/);
  });

  it('detects a row edited through another connection to the database file, triggers dropped', () => {
    seed();
    const other = new Database(path.join(dir.path, 'quire.db'));
    other.exec('DROP TRIGGER audit_events_no_update');
    other.prepare("UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 2").run();
    other.close();
    expect(audit.verify()).toMatchObject({
      ok: false,
      firstBrokenSeq: 2,
      reason: expect.stringMatching(/changed/),
    });
  });

  it('detects a tail cut off together with a head rewound', () => {
    seed();
    db.exec('DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_head_forward_only');
    db.prepare('DELETE FROM audit_events WHERE seq = 4').run();
    expect(audit.verify()).toMatchObject({ ok: false, reason: expect.stringMatching(/truncated/) });
    // A forger who also rewinds the head must know the hash of event 3, which is stored in it:
    // the head then matches, which is why the triggers guard it (the chain alone cannot).
    const row = db.prepare('SELECT hash FROM audit_events WHERE seq = 3').get() as { hash: string };
    db.prepare('UPDATE audit_head SET seq = 3, hash = ?').run(row.hash);
    expect(audit.verify().ok).toBe(true);
  });

  it('continues the chain after a restart', async () => {
    seed();
    const again = await createAuditModule(
      { layout: ensureDataDir(dir.path), db, events, logger: silentLogger(), clock: time.clock },
      { station: 'Station 1' },
    );
    const e = again.record({
      type: 'fixity check',
      outcome: 'success',
      detail: 'ok',
      object: 'MS_1',
      person: 'system',
    });
    expect(e.seq).toBe(5);
    expect(again.verify()).toMatchObject({ ok: true, checked: 5 });
  });

  it('exports filtered events as PREMIS to a new file, page by page, never overwriting', async ({ skip }) => {
    seed();
    audit.record({
      type: 'capture',
      outcome: 'success',
      detail: 'a <b> & "c"',
      object: 'MS_1',
      person: 'omar',
    });
    const out = path.join(dir.path, 'exports', 'ms1.xml');
    const result = await audit.exportPremisXml({ object: 'MS_1' }, out);
    expect(result).toMatchObject({ path: out, events: 3 });
    const xml = readFileSync(out, 'utf8');
    expect(Buffer.byteLength(xml)).toBe(result.bytes);
    expect(xml.match(/<premis:event>/g)).toHaveLength(3);
    expect(xml).toContain('a &lt;b&gt; &amp; "c"');
    expect(xml).not.toContain('MSX1');
    expect(readdirSync(path.dirname(out))).toEqual(['ms1.xml']);
    await expect(audit.exportPremisXml({}, out)).rejects.toThrow(/overwrite/);
    expect(readFileSync(out, 'utf8')).toBe(xml);
    expect(readdirSync(path.dirname(out))).toEqual(['ms1.xml']);
    requireXmllint(skip);
    expect(validateXml(xml, 'premis/premis-v3-0.xsd')).toMatchObject({ valid: true });
  });

  it('exports into the data folder under a name of its own', async () => {
    seed();
    const result = await audit.exportToDataFolder({ type: 'quarantine' });
    expect(path.dirname(result.path)).toBe(path.join(dir.path, 'exports'));
    expect(path.basename(result.path)).toMatch(/^premis-20250303T100000Z-[0-9a-f]{6}\.xml$/);
    expect(result.events).toBe(1);
    expect(existsSync(result.path)).toBe(true);
  });
});
