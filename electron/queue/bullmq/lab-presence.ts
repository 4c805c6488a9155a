import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';

/** How often a station says it is alive; `quire lab status` shows the last time. */
export const HEARTBEAT_MS = 10_000;

export interface StationPresence {
  station: string;
  lastHeartbeat: string;
  queues: string[];
  pid: number;
  host: string;
}

const stationsKey = (prefix: string) => `${prefix}:quire:stations`;

/** Writes this station's heartbeat (one HSET): its name, the time, and the queues it consumes. */
export async function beat(redis: Redis, prefix: string, presence: Omit<StationPresence, 'lastHeartbeat'>) {
  const record: StationPresence = { ...presence, lastHeartbeat: new Date().toISOString() };
  await redis.hset(stationsKey(prefix), presence.station, JSON.stringify(record));
}

export async function stationsSeen(redis: Redis, prefix: string): Promise<StationPresence[]> {
  const all = await redis.hgetall(stationsKey(prefix));
  return Object.values(all)
    .flatMap((v) => {
      try {
        return [JSON.parse(v) as StationPresence];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.station.localeCompare(b.station));
}

/** Thrown when a station cannot see the lab's storage root (not mounted, or another folder). */
export class LabStorageUnseen extends Error {
  override readonly name = 'LabStorageUnseen';
}

const MARKER = 'quire-lab.json';

/**
 * Every station of a lab must see the same storage root. The first station writes a marker
 * with the lab's id into the root and the same id into Redis; every later station must find
 * that marker there. An unmounted share (an empty local folder at the mount point) or a
 * different folder is refused, so masters never land on one station's own disk by mistake.
 */
export async function checkLabStorage(redis: Redis, prefix: string, root: string): Promise<string> {
  const key = `${prefix}:quire:storage-id`;
  try {
    await fs.access(root, fs.constants.W_OK);
  } catch (error) {
    throw new LabStorageUnseen(
      `this station cannot use the lab storage root ${root} (${(error as Error).message}): mount the lab's shared folder there, or leave out --lab-storage`,
    );
  }
  const marker = path.join(root, MARKER);
  const readMarker = async () => {
    try {
      return (JSON.parse(await fs.readFile(marker, 'utf8')) as { labId?: string }).labId ?? null;
    } catch {
      return null;
    }
  };
  const proposed = randomUUID();
  const created = await redis.set(key, proposed, 'NX');
  const labId = created ? proposed : (await redis.get(key))!;
  const found = await readMarker();
  if (created && found === null) {
    await fs.writeFile(marker, JSON.stringify({ labId, createdAt: new Date().toISOString() }) + '\n', {
      flag: 'wx',
    });
    return labId;
  }
  if (created && found !== null) {
    // The lab's Redis was reset; the folder keeps its identity.
    await redis.set(key, found);
    return found;
  }
  if (found !== labId)
    throw new LabStorageUnseen(
      found === null
        ? `the lab storage root ${root} has no ${MARKER}: this is not the lab's shared folder (is the share mounted?). This station refuses lab work`
        : `the lab storage root ${root} belongs to another lab (${found}, expected ${labId}). This station refuses lab work`,
    );
  return labId;
}
