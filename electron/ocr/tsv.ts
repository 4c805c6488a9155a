import type { OcrBlock, OcrLine, OcrResult } from './engine';

/**
 * Tesseract's TSV output, as both engines produce it: one row per page, block, paragraph,
 * line and word (level 1..5), with the box and, for words, a confidence 0..100 (-1 for
 * the rows that are not words). A paragraph becomes a block of its own, as ALTO's TextBlock
 * is a paragraph; empty words (Tesseract reports spaces it saw as boxes) are dropped.
 */
export function parseTesseractTsv(tsv: string, image: { width: number; height: number }): OcrResult {
  const blocks: OcrBlock[] = [];
  const blockByKey = new Map<string, OcrBlock>();
  const lineByKey = new Map<string, OcrLine>();
  for (const row of tsv.split('\n')) {
    const cells = row.split('\t');
    if (cells.length < 12 || cells[0] !== '5') continue;
    const [, , block, par, line, , left, top, width, height, conf] = cells.map(Number) as number[];
    const text = cells.slice(11).join('\t').trim();
    if (!text) continue;
    const box = { x: left!, y: top!, width: width!, height: height! };
    const blockKey = `${block}.${par}`;
    let ocrBlock = blockByKey.get(blockKey);
    if (!ocrBlock) {
      ocrBlock = { ...box, lines: [] };
      blockByKey.set(blockKey, ocrBlock);
      blocks.push(ocrBlock);
    }
    const lineKey = `${blockKey}.${line}`;
    let ocrLine = lineByKey.get(lineKey);
    if (!ocrLine) {
      ocrLine = { ...box, words: [] };
      lineByKey.set(lineKey, ocrLine);
      ocrBlock.lines.push(ocrLine);
    }
    ocrLine.words.push({ ...box, text, confidence: Math.min(1, Math.max(0, conf! / 100)) });
  }
  // Boxes of lines and blocks are the union of their words' boxes.
  for (const block of blocks) {
    for (const line of block.lines) Object.assign(line, union(line.words));
    Object.assign(block, union(block.lines));
  }
  return { width: image.width, height: image.height, blocks };
}

function union(boxes: readonly { x: number; y: number; width: number; height: number }[]) {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}
