import { promises as fs } from 'node:fs';
import path from 'node:path';

const MASTER_NAME = /^page-(\d{4,})\.tif$/;

/** The object name an audit event about a staged master carries. */
export function masterObject(batchId: string, page: number): string {
  return `${batchId}/masters/page-${String(page).padStart(4, '0')}.tif`;
}

/** Masters under their final names in a batch's staging folder, by page number. */
export async function stagedMasters(mastersDir: string): Promise<Map<number, string>> {
  let names: string[];
  try {
    names = await fs.readdir(mastersDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const found = new Map<number, string>();
  for (const name of names) {
    const match = MASTER_NAME.exec(name);
    if (match) found.set(Number(match[1]), path.join(mastersDir, name));
  }
  return found;
}
