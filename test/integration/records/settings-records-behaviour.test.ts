import path from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../electron/core/clock';
import { conflict } from '../../../electron/core/station-error';
import { LabSettingsRecords } from '../../../electron/records/postgres/lab-settings-records';
import type {
  SettingsChange,
  SettingsRecords,
  StoredSettings,
} from '../../../electron/records/settings-records';
import { SqliteSettingsRecords } from '../../../electron/records/sqlite/settings-records';
import { openDatabase } from '../../../electron/storage/index';
import { freshLabDatabase } from '../../helpers/lab-postgres';
import { startPostgres, withoutPostgres, type PostgresServer } from '../../helpers/postgres-server';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * One set of expectations for every engine behind the SettingsRecords interface: what the
 * settings module relies on must hold whether a station's SQLite or the lab's PostgreSQL
 * answers. The fields used are lab-wide, the ones both engines keep.
 */
interface Opened {
  records: SettingsRecords;
  /** A second writer on the same stored settings (another station); null where there is none. */
  another: (() => Promise<SettingsRecords>) | null;
  /** The stored row as it is, and a way to write one by hand (an older or newer Quire's). */
  readRaw: () => Promise<Record<string, unknown>>;
  writeRaw: (value: Record<string, unknown>) => Promise<void>;
  dispose: () => Promise<void>;
}

let server: PostgresServer | null = null;
const engines: Array<{
  name: string;
  unavailable: () => boolean;
  /** Several writers share the stored settings (stations of a lab). */
  shared: boolean;
  open: () => Promise<Opened>;
}> = [
  {
    name: "a station's SQLite",
    unavailable: () => false,
    shared: false,
    open: async () => {
      const dir = makeTempDir('quire-settings-');
      const db = openDatabase(path.join(dir.path, 'quire.db'));
      const records = new SqliteSettingsRecords(db, new FakeClock());
      return {
        records,
        another: null,
        readRaw: async () =>
          JSON.parse((db.prepare('SELECT json FROM settings WHERE id = 1').get() as { json: string }).json),
        writeRaw: async (value) => {
          db.prepare("INSERT INTO settings (id, json, updated_at) VALUES (1, ?, 'then')").run(
            JSON.stringify(value),
          );
        },
        dispose: async () => {
          await records.close();
          db.close();
          dir.cleanup();
        },
      };
    },
  },
  {
    name: "the lab's PostgreSQL",
    unavailable: withoutPostgres,
    shared: true,
    open: async () => {
      server ??= await startPostgres();
      const pool: pg.Pool = await freshLabDatabase(server, { max: 12 });
      const opened: SettingsRecords[] = [];
      const open = async (station: string) => {
        const records = await new LabSettingsRecords(pool, station).start();
        opened.push(records);
        return records;
      };
      return {
        records: await open('st-a'),
        another: () => open('st-b'),
        readRaw: async () =>
          (await pool.query('SELECT settings FROM lab_settings WHERE id = 1')).rows[0].settings,
        writeRaw: async (value) => {
          await pool.query("INSERT INTO lab_settings (id, settings, updated_by) VALUES (1, $1, 'by hand')", [
            JSON.stringify(value),
          ]);
        },
        dispose: async () => {
          for (const records of opened) await records.close();
          await pool.end();
        },
      };
    },
  },
];

afterAll(async () => {
  await server?.dispose();
}, 60_000);

const FOLIO = { dpi: 600, mode: 'color', bit_depth: 16, colour_profile: 'eciRGB v2' } as const;
const profile = (name: string) => ({ name, profile: FOLIO });

/** Resolves with the first announced change that matches. */
function announced(records: SettingsRecords, match: (c: SettingsChange) => boolean): Promise<SettingsChange> {
  return new Promise((resolve) => {
    const unsubscribe = records.subscribe((change) => {
      if (!match(change)) return;
      unsubscribe();
      resolve(change);
    });
  });
}

for (const engine of engines) {
  describe.skipIf(engine.unavailable())(`the settings records on ${engine.name}`, () => {
    let opened: Opened;
    let records: SettingsRecords;

    beforeEach(async () => {
      opened = await engine.open();
      records = opened.records;
    }, 120_000);
    afterEach(async () => opened.dispose());

    it('holds nothing until saved, then exactly what was saved', async () => {
      expect(await records.load()).toBeNull();
      const saved: StoredSettings = {
        organizationName: 'Archive of the Marches',
        idleLockMinutes: 7,
        scanProfiles: [profile('Folio maps')],
      };
      expect(await records.save((stored) => ({ ...stored, ...saved }))).toEqual(saved);
      expect(await records.load()).toEqual(saved);
      expect(await records.save((stored) => ({ ...stored, idleLockMinutes: 9 }))).toEqual({
        ...saved,
        idleLockMinutes: 9,
      });
      expect(await records.load()).toEqual({ ...saved, idleLockMinutes: 9 });
    });

    it('is seeded once: the first writer wins, whoever tries at the same time', async () => {
      const seeds = await Promise.all(
        ['Lab one', 'Lab two', 'Lab three', 'Lab four'].map((organizationName) =>
          records.seed({ organizationName }),
        ),
      );
      const winner = seeds[0]!.organizationName;
      expect(seeds.every((s) => s.organizationName === winner)).toBe(true);
      expect(await records.seed({ organizationName: 'Too late' })).toEqual({ organizationName: winner });
      expect(await records.load()).toEqual({ organizationName: winner });
    });

    it('writes nothing for a refused change, and passes its error on', async () => {
      await records.save(() => ({ organizationName: 'Kept' }));
      const refusal = conflict('a scan profile named "Folio maps" already exists');
      await expect(
        records.save(() => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      expect(await records.load()).toEqual({ organizationName: 'Kept' });
    });

    it('counts every one of several changes made at once: none is lost', async () => {
      const names = Array.from({ length: 8 }, (_, i) => `Profile ${i + 1}`);
      await Promise.all(
        names.map((name) =>
          records.save((stored) => ({
            ...stored,
            scanProfiles: [...(stored?.scanProfiles ?? []), profile(name)],
          })),
        ),
      );
      expect((await records.load())!.scanProfiles!.map((p) => p.name).sort()).toEqual([...names].sort());
    });

    it('reads a stored row field by field, and keeps a field it cannot read as it was', async () => {
      await opened.writeRaw({
        organizationName: 'Archive of the Marches',
        idleLockMinutes: 'a quarter of an hour',
        futureSetting: { from: 'a newer Quire' },
      });
      expect(await records.load()).toEqual({ organizationName: 'Archive of the Marches' });
      await records.save((stored) => ({ ...stored, batchNameTemplate: '{collection}-{seq}' }));
      expect(await opened.readRaw()).toEqual({
        organizationName: 'Archive of the Marches',
        idleLockMinutes: 'a quarter of an hour',
        futureSetting: { from: 'a newer Quire' },
        batchNameTemplate: '{collection}-{seq}',
      });
    });

    // Only a shared engine has other writers: the station's own SQLite has none to tell.
    if (engine.shared)
      it('tells the other writers of a change, naming the station, and not the one that made it', async () => {
        const other = await opened.another!();
        const heardHere: SettingsChange[] = [];
        records.subscribe((change) => heardHere.push(change));
        const atOther = announced(other, (c) => c.kind === 'changed');
        await records.save((stored) => ({ ...stored, organizationName: 'Changed at A' }));
        expect(await atOther).toEqual({ kind: 'changed', station: 'st-a' });
        // Announcements reach a listener in commit order: B's comes after A's would have.
        const here = announced(records, (c) => c.kind === 'changed');
        await other.save((stored) => ({ ...stored, organizationName: 'Changed at B' }));
        expect(await here).toEqual({ kind: 'changed', station: 'st-b' });
        expect(heardHere).toEqual([{ kind: 'changed', station: 'st-b' }]);
        expect(await records.load()).toEqual({ organizationName: 'Changed at B' });
      });
  });
}
