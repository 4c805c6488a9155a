import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { QcFinding } from '../../shared/contract/index';
import type { PackageInput, PackagePageInput } from './packaging/package-input';

const pad = (n: number) => String(n).padStart(4, '0');

/** A batch's OCR files in staging: `ocr/page-NNNN.alto.xml` and `.txt`. */
export function ocrFiles(staging: string, page: number) {
  const dir = path.join(staging, 'ocr');
  return {
    altoPath: path.join(dir, `page-${pad(page)}.alto.xml`),
    textPath: path.join(dir, `page-${pad(page)}.txt`),
  };
}

/** The OCR run's summary beside the pages. */
export const ocrSummaryFile = (staging: string) => path.join(staging, 'ocr', 'ocr.json');

export interface OcrSummary {
  engine: string;
  version: string;
  languages: string[];
  pages: number;
  words: number;
  findings: QcFinding[];
  /** The audit event of the run: the package's PREMIS names the engine as its executing program. */
  eventId: string | null;
}

/** What the packager needs of a page's OCR: its ALTO and text, when both were made. */
export function ocrPageFiles(staging: string, page: number): Pick<PackagePageInput, 'altoPath' | 'textPath'> {
  const files = ocrFiles(staging, page);
  return existsSync(files.altoPath) && existsSync(files.textPath) ? files : {};
}

/** The engine of the batch's OCR run for the package's PREMIS, when it ran. */
export async function ocrPackageInfo(staging: string): Promise<Pick<PackageInput, 'ocr'>> {
  try {
    const summary = JSON.parse(await fs.readFile(ocrSummaryFile(staging), 'utf8')) as OcrSummary;
    return { ocr: { engine: summary.engine, version: summary.version, eventId: summary.eventId } };
  } catch {
    return {};
  }
}
