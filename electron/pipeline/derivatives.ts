import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { create } from 'xmlbuilder2';
import { commitPartFile, PART_SUFFIX, writeFileAtomic } from '../storage/index';

export interface DerivativeOptions {
  accessLongEdge?: number;
  thumbnailLongEdge?: number;
}

/** Writes a sharp pipeline's output to `<file>.part`, fsyncs it and renames it into place (never over an existing file). */
async function writeImage(pipeline: Sharp, file: string): Promise<{ path: string; bytes: number }> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const part = file + PART_SUFFIX;
  const info = await pipeline.toFile(part);
  const handle = await fs.open(part, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await commitPartFile(part, file, { noOverwrite: true });
  return { path: file, bytes: info.size };
}

/**
 * An sRGB JPEG of `source` reduced to fit `edge`, colour-managed after the reduction, as
 * `vips thumbnail` does it: left to itself, sharp converts the whole image from its embedded
 * profile to sRGB before resizing, which for a master costs more than the rest of the
 * derivative. `ignoreIcc` skips only that early conversion: the profile stays attached, and the
 * output transform to sRGB (withIccProfile, which takes the embedded profile as its source) runs
 * on the reduced image, in the same pipeline.
 */
const jpeg = (source: string, edge: number) =>
  sharp(source, {
    limitInputPixels: 2_000_000_000,
    sequentialRead: true,
    failOn: 'warning',
    ignoreIcc: true,
  })
    .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .withIccProfile('srgb')
    .jpeg({ quality: 88, mozjpeg: false });

/**
 * The sRGB access JPEG (long edge 3000 px by default) from a master. Making it reads every
 * pixel of the master, so image QC uses it as its full-decode check: each 100 MB master is
 * decoded once for QC and derivatives together. A master that does not decode throws.
 */
export async function makeAccessCopy(master: string, accessFile: string, options: DerivativeOptions = {}) {
  return writeImage(jpeg(master, options.accessLongEdge ?? 3000), accessFile);
}

/** The 400 px thumbnail, from the access copy (no visible difference at that size). */
export async function makeThumbnail(
  accessFile: string,
  thumbnailFile: string,
  options: DerivativeOptions = {},
) {
  return writeImage(jpeg(accessFile, options.thumbnailLongEdge ?? 400), thumbnailFile);
}

/** Both derivatives of one master. */
export async function makeDerivatives(
  master: string,
  accessFile: string,
  thumbnailFile: string,
  options: DerivativeOptions = {},
) {
  const access = await makeAccessCopy(master, accessFile, options);
  const thumbnail = await makeThumbnail(access.path, thumbnailFile, options);
  return { access, thumbnail };
}

export interface CaptureParameters {
  device: string;
  serial: string;
  firmware: string;
  dpi: number;
  mode: string;
  bitDepth: number;
  capturedAt: string;
  operator: string;
  sha256: string;
  page: number;
  batchId: string;
}

const NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  tiff: 'http://ns.adobe.com/tiff/1.0/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  quire: 'https://example.org/quire/ns/capture/1.0/',
};

/** An XMP sidecar with the capture parameters, built with xmlbuilder2. */
export async function writeXmpSidecar(
  file: string,
  capture: CaptureParameters,
): Promise<{ path: string; sha256: string }> {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const description = doc
    .ele(NS.x, 'x:xmpmeta')
    .ele(NS.rdf, 'rdf:RDF')
    .ele(NS.rdf, 'rdf:Description')
    .att(NS.rdf, 'rdf:about', '')
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:tiff', NS.tiff)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:xmp', NS.xmp)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:quire', NS.quire);
  description.ele(NS.tiff, 'tiff:XResolution').txt(`${capture.dpi}/1`);
  description.ele(NS.tiff, 'tiff:YResolution').txt(`${capture.dpi}/1`);
  description.ele(NS.tiff, 'tiff:ResolutionUnit').txt('2');
  description.ele(NS.xmp, 'xmp:CreateDate').txt(capture.capturedAt);
  description.ele(NS.xmp, 'xmp:CreatorTool').txt(`Quire via ${capture.device}`);
  for (const [key, value] of Object.entries({
    batch: capture.batchId,
    page: String(capture.page),
    device: capture.device,
    serial: capture.serial,
    firmware: capture.firmware,
    mode: capture.mode,
    bitDepth: String(capture.bitDepth),
    operator: capture.operator,
    sha256: capture.sha256,
  })) {
    description.ele(NS.quire, `quire:${key}`).txt(value);
  }
  const xml = doc.end({ prettyPrint: true });
  return { path: file, sha256: await writeFileAtomic(file, xml) };
}
