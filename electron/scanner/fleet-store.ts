import { DeviceConfig } from '../../shared/contract/index';
import { migrate, type Db } from '../storage/index';

const MIGRATIONS = [
  {
    version: 1,
    name: 'fleet',
    sql: `CREATE TABLE fleet_devices (
      name TEXT PRIMARY KEY,
      config_json TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
  },
  {
    // Devices name their driver and address: ScanLink rows stored as host and port become
    // `driver: 'scanlink', address: 'HOST:PORT'` (an IPv6 host in brackets); nothing else changes.
    version: 2,
    name: 'driver and address',
    sql: `UPDATE fleet_devices
      SET config_json = json_remove(
        json_set(
          config_json,
          '$.driver', 'scanlink',
          '$.address',
          CASE WHEN instr(json_extract(config_json, '$.host'), ':') > 0
            THEN '[' || json_extract(config_json, '$.host') || ']'
            ELSE json_extract(config_json, '$.host') END
          || ':' || json_extract(config_json, '$.port')
        ),
        '$.host', '$.port'
      )
      WHERE json_extract(config_json, '$.driver') IS NULL
        AND json_extract(config_json, '$.host') IS NOT NULL`,
  },
];

/** The station's configured scanners (simulators are not stored: they live only while running). */
export class FleetStore {
  constructor(private readonly db: Db) {
    migrate(db, 'devices', MIGRATIONS);
  }

  /** Every stored config; a row that no longer parses stays in the table (never lost) but is not built. */
  all(): DeviceConfig[] {
    const rows = this.db.prepare('SELECT config_json FROM fleet_devices ORDER BY name').all() as {
      config_json: string;
    }[];
    return rows.flatMap((r) => {
      const parsed = DeviceConfig.safeParse(JSON.parse(r.config_json));
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Inserts; false when the name exists (nothing is replaced). */
  insert(config: DeviceConfig): boolean {
    return (
      this.db
        .prepare(
          'INSERT INTO fleet_devices (name, config_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
        )
        .run(config.name, JSON.stringify(config), new Date().toISOString()).changes === 1
    );
  }

  update(config: DeviceConfig): boolean {
    return (
      this.db
        .prepare('UPDATE fleet_devices SET config_json = ?, updated_at = ? WHERE name = ?')
        .run(JSON.stringify(config), new Date().toISOString(), config.name).changes === 1
    );
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM fleet_devices WHERE name = ?').run(name).changes === 1;
  }
}
