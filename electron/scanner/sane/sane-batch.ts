import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../../core/logger';
import { captureTimeLimitMs } from '../capture-time-limit';
import type { CaptureRequest, CaptureResult, MalformedPage } from '../device';
import { pageFailureError, pageFailureOf } from '../page-failure';
import type { PageSink } from '../page-sink';
import { PageWriter, type CapturedPage } from '../page-writer';
import { notKeptAfterGap, pagesNotKeptFault, SHEET_IN_DOUBT, type PageGap } from '../sheet-in-doubt';
import { batchEnd, type BatchEnd } from './sane-outcome';
import { ScanimageMissingError, scanimageCommand, type ScanimageRuntime } from './scanimage';

/** Where scanimage writes each page before Quire takes it: beside the masters, same disk. */
export function spoolDirFor(mastersDir: string): string {
  return path.join(path.dirname(mastersDir), '.scan-spool');
}

const STDERR_LINES_KEPT = 50;
/** After SIGINT (scanimage cancels the scan), how long before SIGTERM, then SIGKILL. */
const CANCEL_GRACE_MS = 10_000;

export interface SaneBatchOptions {
  /** The SANE device scanimage opens. */
  device: string;
  /** The scanner's name at the station, as an operator's alert names it. */
  name: string;
  /** Backend arguments (source, mode, depth, resolution, pass-through options). */
  args: string[];
  request: CaptureRequest;
  sink: PageSink;
  runtime: ScanimageRuntime;
  onPage: (page: CapturedPage) => void;
  onProgress: () => void;
  logger?: Logger;
  /** The pages come from a document feeder (simplex or duplex), not the flatbed. */
  feeder: boolean;
}

/**
 * One `scanimage --batch` run. scanimage writes each page to `<spool>/scan-N.tif.part`, renames
 * it when the page is whole and prints its name (`--batch-print`); only then does Quire stream
 * the file through a PageWriter (hashed, fsynced, named in order through the sink) and delete
 * it. A page scanimage did not finish is never printed, so it never gets a final name. Pages
 * are taken strictly in order on one serial chain; after one could not be kept or recorded,
 * later pages are dropped rather than numbered past the gap, the result names them, and a feeder
 * holds until a person has put their sheets back (../sheet-in-doubt.ts).
 */
export class SaneBatchRun {
  readonly done: Promise<CaptureResult>;
  private resolveDone!: (result: CaptureResult) => void;
  private child: ChildProcess | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly pages: CapturedPage[] = [];
  private readonly mismatches: CaptureResult['checksumMismatches'] = [];
  private readonly malformed: MalformedPage[] = [];
  private readonly protocolErrors: CaptureResult['protocolErrors'] = [];
  private readonly stderrLines: string[] = [];
  private lastScannerPage = 0;
  /** The scanner page scanimage last said it started (`Scanning page N`). */
  private startedScannerPage = 0;
  private cancelled = false;
  private fatal: CaptureResult['error'] = null;
  /** The page that could not be kept or recorded: no later page is numbered past it. */
  private gap: PageGap | null = null;
  /** Station pages scanimage delivered whole after the gap, dropped: the result names them. */
  private readonly notKept: number[] = [];
  private deadline: NodeJS.Timeout | null = null;
  private readonly killTimers: NodeJS.Timeout[] = [];
  private readonly timeLimitMs: number;
  private readonly spool: string;
  /** The outcome, once scanimage has exited; the device reads feeder state from it. */
  end: BatchEnd | null = null;
  /** The station page the scanner is working on, for the status. */
  currentPage: number | null = null;

  constructor(private readonly options: SaneBatchOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timeLimitMs = options.request.timeLimitMs ?? captureTimeLimitMs(options.request);
    this.spool = spoolDirFor(options.request.mastersDir);
  }

  get request(): CaptureRequest {
    return this.options.request;
  }

  async start(): Promise<void> {
    const { request, runtime } = this.options;
    // A spool left by an interrupted run holds no page anyone recorded: it goes.
    await fs.rm(this.spool, { recursive: true, force: true });
    await fs.mkdir(this.spool, { recursive: true });
    const args = [
      '-d',
      this.options.device,
      '--format=tiff',
      // scanimage reads the pattern as printf's: a `%` in the folder's own name is doubled.
      `--batch=${path.join(this.spool, 'scan-').replace(/%/g, '%%')}%d.tif`,
      '--batch-print',
      '--batch-start=1',
      ...(request.pages !== null ? [`--batch-count=${request.pages}`] : []),
      ...this.options.args,
    ];
    this.options.logger?.info({ jobId: request.jobId, args }, 'scanimage batch');
    const command = scanimageCommand(runtime);
    const child = spawn(command, args, {
      env: runtime.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => this.onPageFile(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.onStderr(line));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT' || error.code === 'EACCES';
      this.fatal ??= {
        code: missing ? 'SCANIMAGE_MISSING' : 'SCANIMAGE_FAILED',
        message: missing ? new ScanimageMissingError(command).message : error.message,
        transient: !missing,
      };
      void this.finish(null, null);
    });
    child.on('close', (code, signal) => void this.finish(code, signal));
    if (request.signal?.aborted) this.cancel();
    request.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    this.armDeadline();
  }

  /** Stops scanimage: SIGINT makes it cancel the scan and delete the page in progress. */
  cancel(): void {
    if (this.end || this.cancelled) return;
    this.cancelled = true;
    this.stop();
  }

  private stop(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    // scanimage exits on a second signal; a backend stuck in the kernel only on SIGKILL.
    this.killTimers.push(
      setTimeout(() => child.kill('SIGTERM'), CANCEL_GRACE_MS).unref(),
      setTimeout(() => child.kill('SIGKILL'), 2 * CANCEL_GRACE_MS).unref(),
    );
  }

  private onStderr(line: string): void {
    this.stderrLines.push(line);
    if (this.stderrLines.length > STDERR_LINES_KEPT) this.stderrLines.shift();
    const scanning = /^Scanning page (\d+)/.exec(line);
    if (scanning && this.cancelled) {
      // A backend that ignored the cancel between two sheets starts the next one: a second
      // signal makes scanimage give up at once.
      this.child?.kill('SIGTERM');
    } else if (scanning) {
      this.startedScannerPage = Number(scanning[1]);
      this.currentPage = this.options.sink.slotFor(this.startedScannerPage);
      this.options.onProgress();
    }
  }

  /** scanimage printed a finished page's file name. */
  private onPageFile(line: string): void {
    const file = line.trim();
    if (!file) return;
    const scannerPage = this.lastScannerPage + 1;
    const expected = path.join(this.spool, `scan-${scannerPage}.tif`);
    if (file !== expected) {
      this.protocolErrors.push({
        page: scannerPage,
        message: `scanimage reported ${file} where ${expected} was due: not kept`,
      });
      return;
    }
    this.lastScannerPage = scannerPage;
    const { request } = this.options;
    const slot =
      request.pages !== null && scannerPage > request.pages ? null : this.options.sink.slotFor(scannerPage);
    if (slot === null) {
      this.protocolErrors.push({
        page: scannerPage,
        message: `page ${scannerPage} is beyond the ${request.pages ?? 'available'} page(s) this job asked for: not kept`,
      });
      return;
    }
    this.chain = this.chain.then(() => this.takePage(file, slot));
  }

  /** Streams scanimage's file, byte for byte, through a PageWriter and names it in order. */
  private async takePage(file: string, slot: number): Promise<void> {
    if (this.gap) {
      // A page before this one was not kept or recorded: never number past that gap. The file
      // goes; the result names its page among those not kept. (After the time limit alone, a
      // page that still arrives whole is the next in order, and is kept.)
      this.notKept.push(slot);
      await fs.rm(file, { force: true });
      return;
    }
    let writer: PageWriter | null = null;
    try {
      writer = await PageWriter.open(this.options.request.mastersDir, slot, null, 'tiff');
      for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
        const w = writer;
        if (!w.write(chunk as Buffer)) await new Promise<void>((resolve) => w.onceDrained(resolve));
      }
      await writer.seal();
      const page = await writer.publish();
      writer = null;
      this.pages.push(page);
      await fs.rm(file, { force: true });
      try {
        this.options.sink.named(page);
      } catch (error) {
        const why = (error as Error).message;
        this.gap ??= { page: page.page, failed: 'recorded', why };
        // Transient only if no sheet was fed after it: otherwise finish() holds the feeder.
        this.fatal ??= {
          code: 'PAGE_RECORD_FAILED',
          message: `page ${page.page} is staged but could not be recorded: ${why}`,
          transient: true,
        };
        this.stop();
        return;
      }
      this.options.onPage(page);
      if (this.options.request.pages === null) this.armDeadline(); // until empty: each page renews it
    } catch (error) {
      await writer?.discard();
      const failure = pageFailureOf(error, slot);
      if (failure.kind === 'mismatch') this.mismatches.push(failure.mismatch);
      if (failure.kind === 'malformed') this.malformed.push(failure.malformed);
      // The batch stops at a page it could not keep: later pages never number past the gap.
      const stopped = pageFailureError(failure);
      this.gap ??= { page: slot, failed: 'kept', why: stopped.message };
      this.fatal ??= stopped;
      this.stop();
    }
  }

  private armDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    if (this.finished) return; // a page taken after scanimage ended renews nothing
    this.deadline = setTimeout(() => {
      this.fatal ??= {
        code: 'CAPTURE_TIMEOUT',
        message: `the scanner did not finish the job within ${Math.round(this.timeLimitMs / 1000)} s`,
        transient: true,
      };
      this.stop();
    }, this.timeLimitMs);
    this.deadline.unref();
  }

  private finished = false;

  private async finish(exitCode: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.deadline) clearTimeout(this.deadline);
    this.killTimers.forEach((t) => clearTimeout(t));
    await this.chain;
    await fs.rm(this.spool, { recursive: true, force: true }).catch(() => {});
    // An operator's cancel is not in doubt: the person who stopped it stands at the feeder.
    const unfinished =
      this.options.feeder && !this.cancelled && this.startedScannerPage > this.lastScannerPage;
    const unfinishedPage = unfinished ? this.currentPage : null;
    this.currentPage = null;
    const end = batchEnd({
      device: this.options.device,
      exitCode,
      signal,
      stderrLines: this.stderrLines,
      requestedPages: this.options.request.pages,
      pagesKept: this.pages.length,
      name: this.options.name,
      feederSheetUnfinished: unfinishedPage,
      // Quire stopped scanimage itself (the time limit, a page it could not keep): say that,
      // not the signal scanimage died of.
      stoppedBecause: this.fatal?.message ?? null,
    });
    this.end = this.heldAtGap(end, unfinishedPage);
    this.resolveDone(this.result(this.end));
  }

  /**
   * A feeder that fed sheets after the page the batch stopped at (pages delivered and dropped, or
   * a sheet under way) holds, naming them (../sheet-in-doubt.ts): retried at once, the next sheet
   * would take the first of their numbers. A jam or open cover the scanner reported as well keeps
   * its code, and its message says which sheets to put back.
   */
  private heldAtGap(end: BatchEnd, unfinishedPage: number | null): BatchEnd {
    if (!this.gap || !this.options.feeder) return end;
    const inDoubt = end.feederFault?.code === SHEET_IN_DOUBT;
    const fault = pagesNotKeptFault(
      this.gap,
      this.notKept,
      inDoubt ? unfinishedPage : null,
      this.options.name,
    );
    if (!fault) return end;
    const held =
      end.feederFault && !inDoubt
        ? { code: end.feederFault.code, message: `${end.feederFault.message}; ${fault.message}` }
        : fault;
    return { ...end, feederFault: held, status: 'jammed', error: { ...held, transient: false } };
  }

  private result(end: BatchEnd): CaptureResult {
    // A hold names the time limit or the page that could not be recorded itself, and is the
    // result. A page that could not be kept (its bytes, its write) stays the error, which
    // quarantines the batch; the scanner holds all the same (the device reads end.feederFault).
    const heldFor = ['CAPTURE_TIMEOUT', 'PAGE_RECORD_FAILED'].includes(this.fatal?.code ?? '');
    const fatal =
      !this.fatal || (heldFor && end.feederFault)
        ? null
        : { ...this.fatal, message: this.fatal.message + notKeptAfterGap(this.notKept) };
    const base = {
      job: this.options.request.jobId,
      pages: this.pages.sort((a, b) => a.page - b.page),
      checksumMismatches: this.mismatches,
      protocolErrors: this.protocolErrors,
      ...(this.malformed.length > 0 ? { malformedPages: this.malformed } : {}),
      ...(this.notKept.length > 0 ? { pagesNotKept: [...this.notKept].sort((a, b) => a - b) } : {}),
      fault: end.feederFault,
    };
    if (fatal) return { ...base, status: 'failed', error: fatal };
    if (this.protocolErrors.length > 0)
      return {
        ...base,
        status: 'failed',
        error: {
          code: 'PROTOCOL_ERROR',
          message: this.protocolErrors.map((e) => e.message).join('; '),
          transient: false,
        },
      };
    if (this.cancelled)
      return {
        ...base,
        status: 'aborted',
        error: { code: 'ABORTED', message: 'the job was cancelled', transient: false },
      };
    return { ...base, status: end.status, error: end.error };
  }
}
