import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { assertSafeId } from '../../storage/index';
import { QUIRE_VERSION } from '../../version';
import type { BagIo } from './bag-io';
import { removeBuildingLeftovers, writeBag, type BagPayload, type WrittenBag } from './bag-writer';
import { buildLidoWrap } from '../../catalog/lido/lido-xml';
import { buildDescriptiveRecord, descriptiveSchemaFor } from './descriptive';
import { sha256File } from './hashing';
import { buildIiifManifest } from './iiif';
import { lidoWithResources } from './lido-package';
import { buildMets, type PackageFile, type PackagePage } from './mets';
import {
  BAG_PATHS,
  isPubliclyAvailable,
  masterMimeType,
  MIME,
  TEXT_PATH,
  type FileUse,
  type PackageInput,
} from './package-input';
import { buildPackagePremis, type PremisFile } from './premis';

export interface WritePackageOptions {
  /** `<data>/packages`: the bag goes to `<packagesDir>/<batchId>`. */
  packagesDir: string;
  now?: () => number;
  io?: BagIo;
}

export interface WrittenPackage extends WrittenBag {
  /** Paths under data/ of the metadata files written. */
  metadata: string[];
  /** Whether an IIIF manifest was written (public, not embargoed). */
  iiif: boolean;
}

const DEFAULT_IIIF_BASE = 'https://iiif.example.org/quire';

/**
 * Writes a batch's preservation package: a BagIt 1.0 bag with the masters, access copies,
 * thumbnails and sidecars, METS (with embedded descriptive metadata and PREMIS), a standalone
 * PREMIS document, the MODS or Dublin Core record and, for public batches, the IIIF manifest.
 * Never overwrites an existing package; on failure (a full disk) nothing appears at the target.
 */
export async function writePackage(
  input: PackageInput,
  options: WritePackageOptions,
): Promise<WrittenPackage> {
  assertSafeId(input.batchId, 'batch id');
  if (input.pages.length === 0) throw new Error(`batch ${input.batchId} has no pages to package`);
  const numbers = new Set(input.pages.map((p) => p.page));
  if (numbers.size !== input.pages.length) throw new Error(`batch ${input.batchId} lists a page twice`);
  const now = options.now ?? Date.now;
  const createdAt = new Date(now()).toISOString();
  const software = `Quire ${QUIRE_VERSION}`;
  const pages = [...input.pages].sort((a, b) => a.page - b.page);

  const payload: BagPayload[] = [];
  const metsPages: PackagePage[] = [];
  const premisFiles: PremisFile[] = [];
  const derived = async (use: FileUse, page: number, source: string | null | undefined) => {
    if (!source) return null;
    const file: PackageFile = {
      href: BAG_PATHS[use](page),
      bytes: (await fs.stat(source)).size,
      sha256: await sha256File(source),
      mimeType: MIME[use],
    };
    payload.push({ source, dest: file.href, sha256: file.sha256 });
    return file;
  };
  for (const p of pages) {
    const master: PackageFile = {
      href: BAG_PATHS.MASTER(p.page, p.masterPath),
      bytes: p.bytes,
      sha256: p.sha256,
      mimeType: masterMimeType(p.masterPath),
    };
    payload.push({ source: p.masterPath, dest: master.href, sha256: p.sha256 });
    const tech = {
      width: p.width,
      height: p.height,
      dpi: p.dpi,
      mode: p.mode,
      bitDepth: p.bitDepth,
      capturedAt: p.capturedAt,
    };
    const page: PackagePage = {
      page: p.page,
      master,
      access: await derived('ACCESS', p.page, p.accessPath),
      thumbnail: await derived('THUMBNAIL', p.page, p.thumbnailPath),
      sidecar: await derived('SIDECAR', p.page, p.sidecarPath),
      fulltext: await derived('FULLTEXT', p.page, p.altoPath),
      tech,
    };
    if (p.textPath) payload.push({ source: p.textPath, dest: TEXT_PATH(p.page) });
    metsPages.push(page);
    premisFiles.push({ file: master, use: 'MASTER', tech });
    for (const [use, file] of [
      ['ACCESS', page.access],
      ['THUMBNAIL', page.thumbnail],
      ['SIDECAR', page.sidecar],
      ['FULLTEXT', page.fulltext],
    ] as const)
      if (file) premisFiles.push({ file, use, derivedFrom: master.href });
  }

  for (const extra of input.extraFiles ?? []) payload.push({ source: extra.source, dest: extra.href });

  const events = eventsWithOcrAgent(input);
  const schema = descriptiveSchemaFor(input.metadataSchema);
  const ctx = {
    pages: pages.length,
    masterMediaTypes: pages.map((p) => masterMimeType(p.masterPath)),
    organization: input.capture.organization,
    software,
    createdAt,
  };
  const lido = (prefix: string) =>
    lidoWithResources(input.lido ?? [], metsPages, {
      publiclyAvailable: isPubliclyAvailable(input.descriptive, createdAt.slice(0, 10)),
      prefix,
    });
  const metadata: [string, string][] = [
    [
      'mets.xml',
      buildMets({
        batchId: input.batchId,
        createdAt,
        software,
        schema: schema === 'LIDO' ? 'LIDO' : schema === 'MODS' ? 'MODS' : 'DublinCore',
        descriptive: input.descriptive,
        ...(schema === 'LIDO' ? { lido: lido('') } : {}),
        pages: metsPages,
        events,
        capture: input.capture,
      }),
    ],
    [
      'metadata/premis.xml',
      buildPackagePremis({
        batchId: input.batchId,
        files: premisFiles,
        events,
        capture: input.capture,
        software,
      }),
    ],
    schema === 'LIDO'
      ? ['metadata/lido.xml', buildLidoWrap(lido('../'))]
      : [
          schema === 'MODS' ? 'metadata/mods.xml' : 'metadata/dc.xml',
          buildDescriptiveRecord(schema, input.descriptive, ctx),
        ],
  ];
  const iiif = buildIiifManifest({
    baseUrl: input.iiifBaseUrl ?? DEFAULT_IIIF_BASE,
    batchId: input.batchId,
    descriptive: input.descriptive,
    today: createdAt.slice(0, 10),
    pages: await Promise.all(
      metsPages
        .filter((p) => p.access)
        .map(async (p) => {
          const size = await imageSize(pages.find((x) => x.page === p.page)?.accessPath);
          return {
            page: p.page,
            width: p.tech!.width,
            height: p.tech!.height,
            accessHref: p.access!.href,
            thumbnailHref: p.thumbnail?.href ?? null,
            ...(size ? { accessWidth: size.width, accessHeight: size.height } : {}),
          };
        }),
    ),
  });
  if (iiif) metadata.push(['metadata/iiif-manifest.json', `${JSON.stringify(iiif, null, 2)}\n`]);
  for (const [dest, content] of metadata) payload.push({ dest, content });

  let bag: WrittenBag;
  try {
    bag = await writeBag(
      path.join(options.packagesDir, input.batchId),
      payload,
      {
        'Source-Organization': input.capture.organization,
        'External-Identifier': input.batchId,
        'External-Description': input.descriptive.title,
        'Internal-Sender-Identifier': input.batchId,
        'Bag-Software-Agent': software,
      },
      { now, ...(options.io ? { io: options.io } : {}) },
    );
  } catch (error) {
    // writeBag removes its own half-built folder; this also takes any an earlier attempt of
    // the batch left (a crash, or a removal that failed), so a full disk gets its space back.
    await removeBuildingLeftovers(options.packagesDir, input.batchId).catch(() => []);
    throw error;
  }
  return { ...bag, metadata: metadata.map(([dest]) => dest), iiif: iiif !== null };
}

/**
 * The batch's events for PREMIS, the OCR run's with the OCR engine (name and version) as its
 * executing program: the engine, not Quire, made the full text.
 */
function eventsWithOcrAgent(input: PackageInput) {
  const ocr = input.ocr;
  if (!ocr?.eventId) return input.events;
  return input.events.map((e) =>
    e.id === ocr.eventId ? { ...e, agents: { ...e.agents, software: `${ocr.engine} ${ocr.version}` } } : e,
  );
}

/** The access JPEG's pixel size from its header (for the IIIF image body); null if unknown. */
async function imageSize(file: string | null | undefined): Promise<{ width: number; height: number } | null> {
  if (!file) return null;
  try {
    const meta = await sharp(file).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
  } catch {
    return null;
  }
}
