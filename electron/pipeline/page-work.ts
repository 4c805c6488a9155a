import { existsSync, promises as fs } from 'node:fs';
import type { QcFinding } from '../../shared/contract/index';
import { makeAccessCopy, makeThumbnail, writeXmpSidecar, type CaptureParameters } from './derivatives';
import { recognizePage, type OcrEngine, type OcrLanguage } from '../ocr/index';
import type { ImageWorkPool } from './image-work';
import { inspectMaster, type ExpectedProfile, type MasterMetadata } from './qc';

/**
 * The heavy per-page work of the image stages, behind one interface: on a single station it
 * runs here through the station's image pool (LocalPageWork); in a lab it is spread over the
 * lab's stations as page jobs (lab-page-work.ts). Either way the stage that asked, on the
 * station that holds the batch's records, records the results: page records and PREMIS events
 * are written there, once. Page work itself writes files only, each by temp file and rename,
 * so running a page twice (a redelivered job) produces the same files.
 */
export interface PageWork {
  /** QC's full decode of each master, which also makes its access copy; results in page order. */
  inspect(run: StageRun, profile: ExpectedProfile, pages: InspectPage[]): Promise<InspectedPage[]>;
  /**
   * Access copy (where missing), thumbnail and XMP sidecar of each page; `done` hears of each
   * page finished (as it finishes here, or once all came back from the lab), to record it.
   */
  derive(run: StageRun, pages: DerivePage[], done: (page: number) => void): Promise<void>;
  /** ALTO and plain text of each page; says which engine read each, in page order. */
  ocr(run: StageRun, pages: OcrPage[]): Promise<OcrPageDone[]>;
}

/** One run of a stage: the batch, the stage, and an identity that a retry of the run keeps. */
export interface StageRun {
  batchId: string;
  stage: 'qc' | 'derivatives' | 'ocr';
  /** The stage job's id: the same for its retries and redeliveries, new for a re-run of the stage. */
  runId: string;
  signal?: AbortSignal;
}

/** File paths are this station's own (absolute); the lab implementation shares them relative to its root. */
export interface InspectPage {
  page: number;
  master: string;
  access: string;
}

export interface InspectedPage {
  page: number;
  meta: MasterMetadata | null;
  findings: QcFinding[];
  /** The access copy was written (the master decoded). */
  accessWritten: boolean;
}

export interface DerivePage {
  page: number;
  master: string;
  access: string;
  thumbnail: string;
  sidecar: string;
  /** The access copy is there already (made by QC): it is not made again. */
  accessExists: boolean;
  capture: CaptureParameters;
}

export interface OcrPage {
  page: number;
  master: string;
  alto: string;
  text: string;
  dpi: number;
  languages: OcrLanguage[];
}

/** The engine that read a page (a lab's stations may run different ones). */
export interface OcrPageDone {
  page: number;
  engine: string;
  version: string;
}

/** One page's OCR: both files written by temp file and rename, so a second run leaves the same files. */
export async function readPage(engine: OcrEngine, page: OcrPage, signal?: AbortSignal): Promise<OcrPageDone> {
  await recognizePage(engine, {
    master: page.master,
    dpi: page.dpi,
    pageNumber: page.page,
    languages: page.languages,
    altoFile: page.alto,
    textFile: page.text,
    ...(signal ? { signal } : {}),
  });
  return { page: page.page, engine: engine.kind, version: await engine.version() };
}

/** One page's QC inspection; a leftover access copy of an earlier run is replaced. */
export async function inspectPage(page: InspectPage, profile: ExpectedProfile): Promise<InspectedPage> {
  if (existsSync(page.access)) await fs.rm(page.access);
  const inspected = await inspectMaster(page.master, page.page, profile, { accessCopy: page.access });
  return { page: page.page, ...inspected, accessWritten: existsSync(page.access) };
}

/** One page's derivatives; leftovers of an earlier run are replaced, so a second run writes the same files. */
export async function derivePage(page: DerivePage): Promise<void> {
  for (const leftover of [page.thumbnail, page.sidecar]) if (existsSync(leftover)) await fs.rm(leftover);
  if (!page.accessExists || !existsSync(page.access)) {
    if (existsSync(page.access)) await fs.rm(page.access);
    await makeAccessCopy(page.master, page.access);
  }
  await makeThumbnail(page.access, page.thumbnail);
  await writeXmpSidecar(page.sidecar, page.capture);
}

/** A single station's page work: here, through the station's image pool, as it always ran. */
export function localPageWork(images: ImageWorkPool, ocrEngine: () => OcrEngine): PageWork {
  return {
    // The image pool bounds the pages in memory at once; the engine's pool bounds recognition.
    ocr: (run, pages) => images.map(pages, (page) => readPage(ocrEngine(), page, run.signal)),
    inspect: (_run, profile, pages) => images.map(pages, (page) => inspectPage(page, profile)),
    async derive(_run, pages, done) {
      await images.map(pages, async (page) => {
        await derivePage(page);
        done(page.page);
      });
    },
  };
}
