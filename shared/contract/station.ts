import { z } from 'zod';
import { command, event } from './define';

export const StationInfo = z.object({
  name: z.literal('Quire'),
  version: z.string(),
  dataDir: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  platform: z.string(),
  runtime: z.object({ node: z.string(), electron: z.string().nullable() }),
});
export type StationInfo = z.infer<typeof StationInfo>;

export const HealthCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
/** Free space where the station writes (its data folder); null when the system cannot tell. */
export const DiskSpaceHealth = z.object({
  path: z.string(),
  freeBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  /** Little space left: work goes on, but an operator should free some. */
  lowSpace: z.boolean(),
  /** No space left, or work is waiting because writes failed with "disk full". */
  diskFull: z.boolean(),
  /** Jobs retrying because a write failed with a full disk; they resume when space returns. */
  jobsWaitingForSpace: z.number().int().nonnegative(),
});
export type DiskSpaceHealth = z.infer<typeof DiskSpaceHealth>;

export const StationHealth = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  checks: z.array(HealthCheck),
  disk: DiskSpaceHealth.nullable(),
});
export type StationHealth = z.infer<typeof StationHealth>;

/**
 * A lab station's links to the lab: the shared queue (Redis) and the lab database. While one is
 * down the station keeps capturing; the console says what waits (decisions, other stations'
 * batches) until it is back.
 */
export const LabState = z.object({
  station: z.string(),
  queue: z.object({ connected: z.boolean(), detail: z.string() }),
  /** Null without a lab database (records stay on each station). */
  database: z
    .object({
      state: z.enum(['connected', 'behind', 'unreachable', 'refused']),
      detail: z.string(),
    })
    .nullable(),
});
export type LabState = z.infer<typeof LabState>;

const NoInput = z.object({}).strict();

export const stationCommands = {
  'station.info': command({
    input: NoInput,
    output: StationInfo,
    access: 'public',
    summary: 'Version, data folder and uptime of this station.',
  }),
  'station.health': command({
    input: NoInput,
    output: StationHealth,
    access: 'public',
    summary: 'Whether the database, data folder, free disk space and subsystems are working.',
  }),
  'station.lab': command({
    input: NoInput,
    output: LabState.nullable(),
    access: 'public',
    summary: "A lab station's links to the lab's queue and database; null for a station alone.",
  }),
};

export const stationEvents = {
  'station.heartbeat': event({
    payload: z.object({ at: z.string(), uptimeSeconds: z.number() }),
    coalesceKey: () => 'station',
  }),
  'lab.changed': event({ payload: LabState, coalesceKey: () => 'lab' }),
};
