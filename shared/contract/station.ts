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
export const StationHealth = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  checks: z.array(HealthCheck),
});
export type StationHealth = z.infer<typeof StationHealth>;

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
    summary: 'Whether the database, data folder and subsystems are working.',
  }),
};

export const stationEvents = {
  'station.heartbeat': event({
    payload: z.object({ at: z.string(), uptimeSeconds: z.number() }),
    coalesceKey: () => 'station',
  }),
};
