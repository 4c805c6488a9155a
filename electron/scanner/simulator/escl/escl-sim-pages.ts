import sharp from 'sharp';
import { makeTiffPage } from '../tiff-pages';

export type SimFormat = 'image/tiff' | 'image/png' | 'image/jpeg';

/** What a ColorMode asks for, in the terms of the TIFF page maker. */
const MODES: Record<string, { mode: 'color' | 'gray' | 'bw'; bitDepth: 1 | 8 | 16 }> = {
  BlackAndWhite1: { mode: 'bw', bitDepth: 1 },
  Grayscale8: { mode: 'gray', bitDepth: 8 },
  Grayscale16: { mode: 'gray', bitDepth: 16 },
  RGB24: { mode: 'color', bitDepth: 8 },
  RGB48: { mode: 'color', bitDepth: 16 },
};

export interface PageRequest {
  colorMode: string;
  dpi: number;
  widthInches: number;
  heightInches: number;
  format: SimFormat;
}

/**
 * Real images of the size, resolution and mode asked for: TIFF as the ScanLink simulator makes
 * it, PNG and JPEG converted from it by sharp. A few recent renderings are kept, so a long
 * feeder run does not re-render each sheet.
 */
export class PageRenderer {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly keep = 4) {}

  render(request: PageRequest, variant: number): Promise<Buffer> {
    const key = `${request.format}|${request.colorMode}|${request.dpi}|${request.widthInches}x${request.heightInches}|${variant}`;
    let page = this.cache.get(key);
    if (!page) {
      page = this.make(request, variant);
      this.cache.set(key, page);
      page.catch(() => this.cache.delete(key));
      while (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value!);
    }
    return page;
  }

  private async make(request: PageRequest, variant: number): Promise<Buffer> {
    const mode = MODES[request.colorMode] ?? MODES.RGB24!;
    const tiff = await makeTiffPage(
      { widthInches: request.widthInches, heightInches: request.heightInches, dpi: request.dpi, ...mode },
      variant,
    );
    if (request.format === 'image/tiff') return tiff;
    if (request.format === 'image/png') return sharp(tiff).png({ compressionLevel: 1 }).toBuffer();
    return sharp(tiff).jpeg({ quality: 90 }).toBuffer();
  }
}
