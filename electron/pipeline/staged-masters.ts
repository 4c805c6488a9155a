import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A master under its final name, in any format a scanner may send (the extension is its real format). */
const MASTER_NAME = /^page-(\d{4,})\.(?:tif|png|jpg|pdf)$/;

/** The extension (with its dot) of a master's file: its real format's. */
export function masterExtension(masterPath: string): string {
  return path.extname(masterPath).toLowerCase();
}

/** The object name an audit event about a staged master carries: `B1/masters/page-0001.<ext>`. */
export function masterObject(batchId: string, page: number, masterPath: string): string {
  return `${batchId}/masters/page-${String(page).padStart(4, '0')}${masterExtension(masterPath)}`;
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
