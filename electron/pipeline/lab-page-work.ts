import path from 'node:path';
import { z } from 'zod';
import { QcFinding } from '../../shared/contract/index';
import { FatalError, TransientError } from '../queue/errors';
import type { QueueProducer, TaskQueue } from '../queue/queue';
import type { ImageWorkPool } from './image-work';
import { OCR_LANGUAGES, type OcrEngine } from '../ocr/index';
import {
  derivePage,
  inspectPage,
  readPage,
  type DerivePage,
  type InspectPage,
  type InspectedPage,
  type OcrPage,
  type PageWork,
  type StageRun,
} from './page-work';

/**
 * Page work spread over the lab: one job per page on the shared compute queue, run by whichever
 * station or worker takes it. Files are named relative to the lab's storage root, and each
 * worker resolves them against its own mount of it; the job returns what the stage records
 * (QC's metadata and findings), and writes nothing else: page records and PREMIS events stay
 * with the stage, on the station that holds the batch.
 */

/** A path inside the lab's storage root, as page jobs carry it. */
const Shared = z
  .string()
  .min(1)
  .refine(
    (p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'),
    'a path relative to the lab storage root',
  );
const Profile = z.object({
  dpi: z.number(),
  mode: z.enum(['color', 'gray', 'bw']),
  bitDepth: z.union([z.literal(1), z.literal(8), z.literal(16)]),
  allowLossy: z.boolean().optional(),
});
const InspectJob = z.object({
  batchId: z.string(),
  page: z.number().int().positive(),
  master: Shared,
  access: Shared,
  profile: Profile,
});
const DeriveJob = z.object({
  batchId: z.string(),
  page: z.number().int().positive(),
  master: Shared,
  access: Shared,
  thumbnail: Shared,
  sidecar: Shared,
  accessExists: z.boolean(),
  capture: z.object({
    batchId: z.string(),
    page: z.number().int(),
    device: z.string(),
    serial: z.string(),
    firmware: z.string(),
    dpi: z.number(),
    mode: z.string(),
    bitDepth: z.number(),
    capturedAt: z.string(),
    operator: z.string(),
    sha256: z.string(),
  }),
});
/** What a page.inspect job returns; parsed on the way back, since another process wrote it. */
const Inspected = z.object({
  page: z.number().int(),
  meta: z
    .object({
      width: z.number(),
      height: z.number(),
      dpi: z.number().nullable(),
      bitDepth: z.number().nullable(),
      channels: z.number(),
      space: z.string(),
      hasIcc: z.boolean(),
      format: z.string(),
    })
    .nullable(),
  findings: z.array(QcFinding),
  accessWritten: z.boolean(),
});
const Derived = z.object({ page: z.number().int() });
const OcrJob = z.object({
  batchId: z.string(),
  page: z.number().int().positive(),
  master: Shared,
  alto: Shared,
  text: Shared,
  dpi: z.number(),
  languages: z.array(z.enum(OCR_LANGUAGES)).min(1),
});
const Read = z.object({ page: z.number().int(), engine: z.string(), version: z.string() });

const PAGE_RETRY = { retries: 3, baseMs: 2_000, capMs: 30_000 };

/**
 * A test seam: with QUIRE_TEST_HOLD_PAGE_JOB set to a page job type, this process writes the
 * page's files, says so on stderr, and then holds the job forever (its image pool slot given
 * back), so that a test can kill it while it holds a job whose files are written. Never set in
 * production.
 */
async function heldForTest(type: string, page: number): Promise<void> {
  if (process.env.QUIRE_TEST_HOLD_PAGE_JOB !== type) return;
  process.stderr.write(`test hold: ${type} page ${page}\n`);
  await new Promise<never>(() => {});
}

/**
 * The page job types, registered on every station and worker of a lab. `root` is this
 * process's mount of the lab's storage root (null without --lab-storage: such a station cannot
 * reach the files, so it does not consume the compute queue at all, see queue/module.ts; a
 * page job that reached it anyway would fail as transient, for another station to take).
 */
export function registerPageJobs(
  jobs: QueueProducer,
  options: { root: string | null; images: ImageWorkPool; ocrEngine: () => OcrEngine },
): void {
  const resolve = (shared: string) => {
    if (!options.root)
      throw new TransientError(
        'this station has no lab storage root (--lab-storage): it cannot do page work',
      );
    return path.join(options.root, shared);
  };
  /**
   * One page job type on the compute queue: its `files` (paths in the lab storage root) are
   * resolved against this process's mount before `work` runs in the image pool.
   */
  const pageJob = <P extends { page: number }, F extends keyof P>(
    type: string,
    schema: z.ZodType<P>,
    files: readonly F[],
    work: (page: P, signal: AbortSignal) => Promise<unknown>,
  ) =>
    jobs.register(type, {
      schema,
      queue: 'compute',
      retry: PAGE_RETRY,
      handler: async (payload, { signal }) => {
        const local = { ...payload };
        for (const file of files) local[file] = resolve(payload[file] as string) as P[F];
        const result = await options.images.run(() => work(local, signal));
        await heldForTest(type, payload.page);
        return result;
      },
    });
  pageJob('page.inspect', InspectJob, ['master', 'access'], (p) => inspectPage(p, p.profile));
  pageJob('page.derivatives', DeriveJob, ['master', 'access', 'thumbnail', 'sidecar'], async (p) => {
    await derivePage(p);
    return { page: p.page };
  });
  pageJob('page.ocr', OcrJob, ['master', 'alto', 'text'], (p, signal) =>
    readPage(options.ocrEngine(), p, signal),
  );
}

/** The idempotency key of one page of one stage run: a redelivered stage finds its page jobs again. */
const pageKey = (run: StageRun, page: number) => `${run.batchId}:${run.stage}:${run.runId}:page-${page}`;

/** Page work as page jobs on the lab's compute queue; `root` is this station's mount of the lab's storage. */
export function labPageWork(queue: Pick<TaskQueue, 'runAndAwait'>, root: string): PageWork {
  const shared = (file: string) => {
    const relative = path.relative(root, file);
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative))
      throw new FatalError(
        `${file} is not under the lab storage root ${root}: the lab's stations cannot reach it`,
      );
    return relative.split(path.sep).join('/');
  };
  const run = (stage: StageRun, type: string, pages: { page: number; payload: unknown }[]) =>
    queue.runAndAwait(
      pages.map(({ page, payload }) => ({
        type,
        payload,
        options: { idempotencyKey: pageKey(stage, page) },
      })),
      { signal: stage.signal },
    );
  return {
    async inspect(stage, profile, pages: InspectPage[]): Promise<InspectedPage[]> {
      const results = await run(
        stage,
        'page.inspect',
        pages.map((p) => ({
          page: p.page,
          payload: {
            batchId: stage.batchId,
            page: p.page,
            master: shared(p.master),
            access: shared(p.access),
            profile,
          },
        })),
      );
      return results.map((r) => Inspected.parse(r));
    },
    async derive(stage, pages: DerivePage[], done) {
      const results = await run(
        stage,
        'page.derivatives',
        pages.map((p) => ({
          page: p.page,
          payload: {
            ...p,
            batchId: stage.batchId,
            master: shared(p.master),
            access: shared(p.access),
            thumbnail: shared(p.thumbnail),
            sidecar: shared(p.sidecar),
          },
        })),
      );
      results.forEach((r) => done(Derived.parse(r).page));
    },
    async ocr(stage, pages: OcrPage[]) {
      const results = await run(
        stage,
        'page.ocr',
        pages.map((p) => ({
          page: p.page,
          payload: {
            ...p,
            batchId: stage.batchId,
            master: shared(p.master),
            alto: shared(p.alto),
            text: shared(p.text),
          },
        })),
      );
      return results.map((r) => Read.parse(r));
    },
  };
}
