import sharp from 'sharp';
import { pixelSize, type PageSpec } from './tiff-pages';

/**
 * Known passages (public domain) for pages of rendered text: tests and the OCR benchmark read
 * them back and compare with what was printed. Plain ASCII punctuation, so a recognised word
 * either matches its printed word or is wrong.
 */
const PASSAGES = {
  eng: `It was the best of times, it was the worst of times, it was the age of wisdom, it was the
age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the
season of Light, it was the season of Darkness, it was the spring of hope, it was the winter of
despair, we had everything before us, we had nothing before us, we were all going direct to
Heaven, we were all going direct the other way. In short, the period was so far like the present
period, that some of its noisiest authorities insisted on its being received, for good or for
evil, in the superlative degree of comparison only. There were a king with a large jaw and a
queen with a plain face, on the throne of England; there were a king with a large jaw and a
queen with a fair face, on the throne of France. In both countries it was clearer than crystal
to the lords of the State preserves of loaves and fishes, that things in general were settled
for ever. The registers of the parish record every birth, marriage and burial in the order in
which it was entered by the clerk, with the names of the witnesses and the fees received. The
letter book of the company holds copies of the letters sent to agents abroad, concerning the
shipment of cotton, timber and iron, the prices obtained at market, and the delays caused by
weather and by the want of ships. Each volume was bound in calf, numbered on the spine, and kept
in the strong room of the counting house until the firm was wound up and its papers given to
the county record office, where they may be consulted by appointment on any working day.`,
  fra: `Il y avait une fois un roi et une reine qui étaient si fâchés de n'avoir point d'enfants,
qu'on ne saurait dire. Ils allèrent à toutes les eaux du monde, voeux, pèlerinages, menues
dévotions; tout fut mis en oeuvre, et rien n'y faisait. Enfin pourtant la reine devint grosse,
et accoucha d'une fille. On fit un beau baptême; on donna pour marraines à la petite princesse
toutes les fées qu'on put trouver dans le pays, afin que chacune d'elles lui faisant un don,
comme c'était la coutume des fées en ce temps-là, la princesse eût par ce moyen toutes les
perfections imaginables. Le registre de la paroisse contient les actes de baptême, de mariage et
de sépulture, dans l'ordre où le curé les a inscrits, avec le nom des témoins.`,
} as const;

export type TextPageLanguage = keyof typeof PASSAGES;

export interface TextPageOptions {
  language?: TextPageLanguage;
  /** Skew in degrees (default: a little, alternating with the page number). */
  skewDegrees?: number;
  /** Specks of dirt per square inch (default 4). */
  specksPerSquareInch?: number;
  pointSize?: number;
}

const words = (language: TextPageLanguage) => PASSAGES[language].split(/\s+/).filter(Boolean);

/**
 * The lines printed on page `page`: the passage's words from an offset that moves with the
 * page number (so pages differ), wrapped at a character count that fits the text width.
 */
export function textPageLines(spec: PageSpec, page: number, options: TextPageOptions = {}): string[] {
  const source = words(options.language ?? 'eng');
  const point = options.pointSize ?? 11;
  const textWidthInches = spec.widthInches - 2;
  const lineCount = Math.max(1, Math.floor(((spec.heightInches - 2) * 72) / (point * 1.45)));
  // Serif text averages about half an em per character; 0.56 leaves a safe margin.
  const charsPerLine = Math.max(10, Math.floor((textWidthInches * 72) / (point * 0.56)));
  const lines: string[] = [];
  let index = (page * 53) % source.length;
  while (lines.length < lineCount) {
    let line = '';
    for (;;) {
      const word = source[index % source.length]!;
      if (line && line.length + 1 + word.length > charsPerLine) break;
      line = line ? `${line} ${word}` : word;
      index++;
    }
    lines.push(line);
  }
  return lines;
}

/** Every word printed on the page, in reading order. */
export const textPageWords = (spec: PageSpec, page: number, options: TextPageOptions = {}) =>
  textPageLines(spec, page, options).flatMap((line) => line.split(' '));

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A small deterministic generator, so a page's specks are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/**
 * A page of text as a scanner would deliver it: an SVG of the page's lines (1-inch margins,
 * serif) with specks of dirt, turned by a small skew, rasterised by sharp at the requested
 * resolution and written as an uncompressed TIFF in the requested mode (8-bit grey, sRGB
 * colour or 1-bit). Deterministic for a given page number.
 */
export async function makeTextPage(
  spec: PageSpec,
  page: number,
  options: TextPageOptions = {},
): Promise<Buffer> {
  const { width, height } = pixelSize(spec);
  const px = spec.dpi / 72;
  const point = options.pointSize ?? 11;
  const skew = options.skewDegrees ?? (page % 2 === 0 ? 0.35 : -0.3);
  const next = random(page * 7919 + 17);
  const specks = Math.round((options.specksPerSquareInch ?? 4) * spec.widthInches * spec.heightInches);
  const dots = Array.from({ length: specks }, () => {
    const r = (0.4 + next() * 1.2) * (spec.dpi / 300);
    const grey = Math.round(60 + next() * 120);
    return `<circle cx="${(next() * width).toFixed(1)}" cy="${(next() * height).toFixed(1)}" r="${r.toFixed(2)}" fill="rgb(${grey},${grey},${grey})"/>`;
  }).join('');
  const lines = textPageLines(spec, page, options)
    .map(
      (line, i) =>
        `<text x="${(72 * px).toFixed(1)}" y="${((72 + point * (1 + i * 1.45)) * px).toFixed(1)}">${escapeXml(line)}</text>`,
    )
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="rgb(246,243,236)"/>` +
    `<g transform="rotate(${skew} ${width / 2} ${height / 2})" font-family="DejaVu Serif, serif" font-size="${(point * px).toFixed(2)}" fill="rgb(28,26,24)">${lines}</g>` +
    dots +
    `</svg>`;
  const tiff = {
    xres: spec.dpi / 25.4,
    yres: spec.dpi / 25.4,
    resolutionUnit: 'inch' as const,
    compression: 'none' as const,
  };
  const base = sharp(Buffer.from(svg), { density: 72, limitInputPixels: false }).flatten({
    background: '#ffffff',
  });
  if (spec.mode === 'bw')
    return base
      .toColourspace('b-w')
      .tiff({ ...tiff, bitdepth: 1 })
      .toBuffer();
  if (spec.mode === 'gray') {
    const grey = base.toColourspace('b-w');
    return (spec.bitDepth === 16 ? grey.toColourspace('grey16') : grey).tiff(tiff).toBuffer();
  }
  const colour = spec.bitDepth === 16 ? base.toColourspace('rgb16') : base;
  return colour.withIccProfile('srgb').tiff(tiff).toBuffer();
}
