import { promises as fs } from 'node:fs';
import type { DataDir } from './data-dir';
import type { Db } from './database';

/** The station's database answers and passes SQLite's quick_check. */
export async function checkDatabase(db: Db) {
  try {
    const row = db.pragma('quick_check', { simple: true });
    return { name: 'database', ok: row === 'ok', detail: `quick_check: ${String(row)}` };
  } catch (error) {
    return { name: 'database', ok: false, detail: (error as Error).message };
  }
}

/** The data folder can be written to. */
export async function checkDataDirWritable(layout: DataDir) {
  try {
    await fs.access(layout.root, fs.constants?.W_OK ?? 2);
    return { name: 'data folder', ok: true, detail: `${layout.root} is writable` };
  } catch (error) {
    return { name: 'data folder', ok: false, detail: (error as Error).message };
  }
}
