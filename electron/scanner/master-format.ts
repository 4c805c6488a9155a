/** Formats a master may arrive in, lossless first. */
export type MasterFormat = 'tiff' | 'png' | 'jpeg' | 'pdf';

/** A master keeps the extension of the format the scanner really sent. */
export const MASTER_EXTENSIONS: Record<MasterFormat, string> = {
  tiff: 'tif',
  png: 'png',
  jpeg: 'jpg',
  pdf: 'pdf',
};

/** Lossy formats are masters only where a scan profile explicitly allows them. */
export const LOSSY_FORMATS: ReadonlySet<MasterFormat> = new Set(['jpeg', 'pdf']);

export function masterFileName(page: number, format: MasterFormat = 'tiff'): string {
  return `page-${String(page).padStart(4, '0')}.${MASTER_EXTENSIONS[format]}`;
}

/** A master's file name: `page-NNNN.<ext>` for any master extension. */
export const MASTER_FILE_PATTERN = /^page-(\d{4,})\.(tif|png|jpg|pdf)$/;

export function formatOfExtension(ext: string): MasterFormat | null {
  const entry = Object.entries(MASTER_EXTENSIONS).find(([, e]) => e === ext);
  return entry ? (entry[0] as MasterFormat) : null;
}
