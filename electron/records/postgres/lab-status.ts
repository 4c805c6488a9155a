import type pg from 'pg';

export interface LabDatabaseStatus {
  connected: true;
  /** The schema's migration version. */
  schemaVersion: number;
  /** Per station: its batches by stage, and how far the lab holds its audit log. */
  stations: {
    station: string;
    batches: Record<string, number>;
    auditEvents: number;
    auditHeldUpTo: number | null;
    lastChange: string | null;
  }[];
  quarantined: number;
  openSessions: number;
}

/** The lab database as `quire lab status --lab-db` prints it: what each station has sent there. */
export async function readLabDatabaseStatus(pool: pg.Pool): Promise<LabDatabaseStatus> {
  const version = await pool
    .query<{ version: number }>('SELECT max(version)::int AS version FROM lab_schema_version')
    .catch((error: { code?: string }) => {
      if (error.code === '42P01')
        throw new Error('the lab database has no Quire schema yet: run quire lab migrate');
      throw error;
    });
  const [batches, audit, sessions, quarantine] = await Promise.all([
    pool.query<{ station: string; stage: string; n: string; last: Date | null }>(
      'SELECT station, stage, count(*) AS n, max(updated_at) AS last FROM lab_batches GROUP BY station, stage',
    ),
    pool.query<{ station: string; n: string; upto: string | null }>(
      'SELECT station, count(*) AS n, max(station_seq) AS upto FROM lab_audit_events GROUP BY station',
    ),
    pool.query<{ n: string }>('SELECT count(*) AS n FROM lab_sessions WHERE ended_at IS NULL'),
    pool.query<{ n: string }>("SELECT count(*) AS n FROM lab_batches WHERE stage = 'quarantined'"),
  ]);
  const stations = new Map<string, LabDatabaseStatus['stations'][number]>();
  const entry = (station: string) => {
    let found = stations.get(station);
    if (!found) {
      found = { station, batches: {}, auditEvents: 0, auditHeldUpTo: null, lastChange: null };
      stations.set(station, found);
    }
    return found;
  };
  for (const row of batches.rows) {
    const station = entry(row.station);
    station.batches[row.stage] = Number(row.n);
    const last = row.last?.toISOString() ?? null;
    if (last && (!station.lastChange || last > station.lastChange)) station.lastChange = last;
  }
  for (const row of audit.rows) {
    const station = entry(row.station);
    station.auditEvents = Number(row.n);
    station.auditHeldUpTo = row.upto === null ? null : Number(row.upto);
  }
  return {
    connected: true,
    schemaVersion: version.rows[0]?.version ?? 0,
    stations: [...stations.values()].sort((a, b) => a.station.localeCompare(b.station)),
    quarantined: Number(quarantine.rows[0]?.n ?? 0),
    openSessions: Number(sessions.rows[0]?.n ?? 0),
  };
}
