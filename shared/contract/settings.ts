import { z } from 'zod';
import { command, event } from './define';

export const DEFAULT_QUARANTINE_REASONS = [
  'Missing pages',
  'Blurred image',
  'Wrong scan profile',
  'Damaged original',
  'Checksum mismatch',
  'Wrong object scanned',
] as const;

export const StationSettings = z.object({
  organizationName: z.string().trim().min(1).max(120),
  stationName: z.string().trim().min(1).max(80),
  idleLockMinutes: z.number().int().min(1).max(240),
  /** The reasons a supervisor chooses from for every quarantine decision. */
  quarantineReasons: z.array(z.string().trim().min(1).max(80)).min(1).max(40),
});
export type StationSettings = z.infer<typeof StationSettings>;

export const settingsCommands = {
  'settings.get': command({
    input: z.object({}).strict(),
    output: StationSettings,
    access: 'operator',
    summary: 'The station settings.',
  }),
  'settings.update': command({
    input: StationSettings.partial().strict(),
    output: StationSettings,
    access: 'supervisor',
    summary: 'Changes station settings (supervisors only).',
  }),
};

export const settingsEvents = {
  'settings.changed': event({ payload: StationSettings, coalesceKey: () => 'settings' }),
};
