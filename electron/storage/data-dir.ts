import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertSafeId } from './safe-id';

/**
 * The data folder layout (../shared/architecture.md, "Data folder"). Every path the station
 * writes is derived here, so a batch or device id can never point outside the folder.
 */
export interface DataDir {
  root: string;
  database: string;
  staging: string;
  packages: string;
  traces: string;
  logs: string;
  batchStaging(batchId: string): string;
  batchMasters(batchId: string): string;
  batchPackage(batchId: string): string;
}

/**
 * A lab station's share of the lab's storage root: its batches' staging (masters included) and
 * packages live under `<root>/stations/<station>/`, so every station of the lab reaches them
 * (page work runs anywhere) and no station's files mix with another's.
 */
export interface LabShare {
  root: string;
  station: string;
}

/** Where a lab station's staging and packages are in the lab's storage root. */
export function labStationDir(share: LabShare): string {
  return path.join(path.resolve(share.root), 'stations', assertSafeId(share.station, 'station name'));
}

export function dataDirLayout(root: string, share?: LabShare | null): DataDir {
  const abs = path.resolve(root);
  const batches = share ? labStationDir(share) : abs;
  const staging = path.join(batches, 'staging');
  const packages = path.join(batches, 'packages');
  return {
    root: abs,
    database: path.join(abs, 'quire.db'),
    staging,
    packages,
    traces: path.join(abs, 'traces'),
    logs: path.join(abs, 'logs'),
    batchStaging: (id) => path.join(staging, assertSafeId(id, 'batch id')),
    batchMasters: (id) => path.join(staging, assertSafeId(id, 'batch id'), 'masters'),
    batchPackage: (id) => path.join(packages, assertSafeId(id, 'batch id')),
  };
}

/** Where a data folder records the lab share its batches were staged in. */
const SHARE_FILE = 'lab-share.json';

/**
 * Creates the folders of the layout. A lab station records its share in the data folder, so
 * that a later command on the folder without the lab's options (`quire verify`, say) still
 * finds its batches' staging and packages in the share; given options take precedence.
 */
export function ensureDataDir(root: string, share?: LabShare | null): DataDir {
  const abs = path.resolve(root);
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  const recorded = path.join(abs, SHARE_FILE);
  // The layout first: it checks the station's name before anything is recorded.
  const layout = dataDirLayout(root, share ?? recordedShare(recorded));
  if (share) {
    const text = JSON.stringify({ root: path.resolve(share.root), station: share.station }) + '\n';
    if (!existsSync(recorded) || readFileSync(recorded, 'utf8') !== text)
      writeFileSync(recorded, text, { mode: 0o600 });
  }
  for (const dir of [layout.root, layout.staging, layout.packages, layout.traces, layout.logs]) {
    // Owner-only when created: the folder holds the accounts database and unreleased masters.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  return layout;
}

function recordedShare(file: string): LabShare | null {
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LabShare>;
  if (typeof parsed.root !== 'string' || typeof parsed.station !== 'string')
    throw new Error(`${file} does not name a lab share (root and station); fix or remove it`);
  return { root: parsed.root, station: parsed.station };
}

/**
 * Where the station keeps its data when nothing says otherwise: QUIRE_DATA_DIR, else the
 * given platform user-data path (Electron's app.getPath('userData')), else a per-user folder
 * following each OS's convention (the CLI has no Electron to ask).
 */
export function resolveDataRoot(env: NodeJS.ProcessEnv = process.env, userDataPath?: string): string {
  const fromEnv = env.QUIRE_DATA_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  if (userDataPath) return path.join(userDataPath, 'station');
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Quire', 'station');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Quire', 'station');
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'quire', 'station');
  }
}
