import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { Box, OcrResult } from './engine';

const ALTO_NS = 'http://www.loc.gov/standards/alto/ns-v4#';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const ALTO_SCHEMA = 'http://www.loc.gov/alto/v4/alto-4-4.xsd';

export interface AltoPage {
  /** The recognition result, in the coordinates of the (reduced) image the engine read. */
  result: OcrResult;
  /** The master the text was read from: its file name (sourceImageInformation) and size in pixels. */
  master: { fileName: string; width: number; height: number };
  pageNumber: number;
  engine: { name: string; version: string };
  languages: readonly string[];
  /** Recognition resolution, recorded in the processing settings. */
  dpi: number;
  processedAt: Date;
}

interface AltoBox {
  HPOS: number;
  VPOS: number;
  WIDTH: number;
  HEIGHT: number;
}

/**
 * ALTO 4.4 for one page: Page → PrintSpace → TextBlock → TextLine → String (with WC, the
 * word's confidence) and SP between words. Every box is in the MASTER's pixels, scaled up from
 * the recognition image, so a viewer can draw it over the master or any copy of the same shape.
 */
export function buildAlto(page: AltoPage): string {
  const sx = page.master.width / page.result.width;
  const sy = page.master.height / page.result.height;
  const toMaster = (box: Box): AltoBox => {
    const x = Math.round(box.x * sx);
    const y = Math.round(box.y * sy);
    return {
      HPOS: x,
      VPOS: y,
      WIDTH: Math.max(1, Math.round((box.x + box.width) * sx) - x),
      HEIGHT: Math.max(1, Math.round((box.y + box.height) * sy) - y),
    };
  };

  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const alto = doc
    .ele(ALTO_NS, 'alto')
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:xsi', XSI_NS)
    .att(XSI_NS, 'xsi:schemaLocation', `${ALTO_NS} ${ALTO_SCHEMA}`);
  const description = alto.ele('Description');
  description.ele('MeasurementUnit').txt('pixel');
  description.ele('sourceImageInformation').ele('fileName').txt(page.master.fileName);
  const processing = description.ele('Processing', { ID: 'OCR_1' });
  processing.ele('processingCategory').txt('contentGeneration');
  processing.ele('processingDateTime').txt(page.processedAt.toISOString());
  processing
    .ele('processingStepSettings')
    .txt(`languages=${page.languages.join('+')}; dpi=${page.dpi}; grey; oem=LSTM; psm=3`);
  const software = processing.ele('processingSoftware');
  software.ele('softwareName').txt(page.engine.name);
  software.ele('softwareVersion').txt(page.engine.version);

  const pageEl = alto.ele('Layout').ele('Page', {
    ID: `PAGE_${page.pageNumber}`,
    PHYSICAL_IMG_NR: page.pageNumber,
    WIDTH: page.master.width,
    HEIGHT: page.master.height,
  });
  const printSpace = pageEl.ele('PrintSpace', {
    HPOS: 0,
    VPOS: 0,
    WIDTH: page.master.width,
    HEIGHT: page.master.height,
  });
  let blockId = 0;
  let lineId = 0;
  let wordId = 0;
  for (const block of page.result.blocks) {
    const blockEl = printSpace.ele('TextBlock', { ID: `BLOCK_${++blockId}`, ...toMaster(block) });
    for (const line of block.lines) {
      const lineEl = blockEl.ele('TextLine', { ID: `LINE_${++lineId}`, ...toMaster(line) });
      line.words.forEach((word, index) => {
        const box = toMaster(word);
        if (index > 0) space(lineEl, toMaster(line.words[index - 1]!), box);
        lineEl.ele('String', {
          ID: `WORD_${++wordId}`,
          CONTENT: word.text,
          ...box,
          WC: word.confidence.toFixed(2),
        });
      });
    }
  }
  return doc.end({ prettyPrint: true });
}

/** SP: the gap between two words of a line. */
function space(line: XMLBuilder, previous: AltoBox, after: AltoBox) {
  const hpos = previous.HPOS + previous.WIDTH;
  line.ele('SP', {
    HPOS: hpos,
    VPOS: Math.min(previous.VPOS, after.VPOS),
    WIDTH: Math.max(0, after.HPOS - hpos),
  });
}

/** The page's plain text: words of a line joined by a space, lines by a newline, blocks by a blank line. */
export function plainText(result: OcrResult): string {
  const blocks = result.blocks.map((block) =>
    block.lines.map((line) => line.words.map((w) => w.text).join(' ')).join('\n'),
  );
  return blocks.length ? blocks.join('\n\n') + '\n' : '';
}

/** Word count and mean word confidence (0..1; null without words) of a page. */
export function pageStatistics(result: OcrResult): { words: number; meanConfidence: number | null } {
  const words = result.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
  const total = words.reduce((sum, w) => sum + w.confidence, 0);
  return {
    words: words.length,
    meanConfidence: words.length ? Math.round((total / words.length) * 1000) / 1000 : null,
  };
}
