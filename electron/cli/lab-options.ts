import type { Command } from 'commander';
import type { LabOptions } from '../queue/module';

export interface LabCliOptions {
  station?: string;
  lab?: string;
  labStorage?: string;
  queues?: string;
  labDb?: string;
}

/** The lab options shared by `quire worker`, `quire serve` and `quire batch run`. */
export function withLabOptions(cmd: Command): Command {
  return cmd
    .option('--station <name>', "this station's name in the lab (default: $QUIRE_STATION)")
    .option('--lab <url>', "the lab's Redis, redis://HOST:PORT (default: $QUIRE_LAB_REDIS)")
    .option('--lab-storage <dir>', "the lab's shared storage root (default: $QUIRE_LAB_STORAGE)")
    .option('--queues <names>', 'shared queues this station consumes (default: default,compute,io)')
    .option(
      '--lab-db <url>',
      "the lab's PostgreSQL, postgres://user@host:port/database: accounts and sessions shared by the lab (default: $QUIRE_LAB_DATABASE)",
    );
}

/**
 * Lab mode from the options, else the environment; undefined for a single station. A lab needs a
 * station name: jobs and heartbeats name the station that ran them.
 */
export function labFromCli(
  opts: LabCliOptions,
  env: NodeJS.ProcessEnv = process.env,
): LabOptions | undefined {
  const redis = opts.lab ?? env.QUIRE_LAB_REDIS;
  if (!redis) return undefined;
  const station = opts.station ?? env.QUIRE_STATION;
  if (!station) throw new Error('lab mode needs a station name: --station NAME or QUIRE_STATION');
  if (!/^redis(s)?:\/\//.test(redis)) throw new Error(`--lab takes a redis://HOST:PORT URL, not ${redis}`);
  return {
    redis,
    station,
    storage: opts.labStorage ?? env.QUIRE_LAB_STORAGE,
    queues: opts.queues
      ?.split(',')
      .map((q) => q.trim())
      .filter(Boolean),
  };
}

/** The lab database from the options, else the environment; null for a station on its own SQLite. */
export function labDatabaseFromCli(
  opts: Pick<LabCliOptions, 'labDb'>,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const url = opts.labDb ?? env.QUIRE_LAB_DATABASE;
  if (!url) return null;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`--lab-db takes a postgres://user@host:port/database URL, not ${url}`);
  return url;
}
