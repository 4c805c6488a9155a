import { parseJson, type Frame } from './codec';
import type { ScanLinkConnection } from './connection';
import { pageFailureError, pageFailureOf } from '../page-failure';
import { PageWriter, type CapturedPage } from '../page-writer';
import type { PageSink } from '../page-sink';
import { captureTimeLimitMs } from '../capture-time-limit';
import type { CaptureRequest, CaptureResult } from '../device';
import { sheetInDoubtFault } from '../sheet-in-doubt';
import {
  EventKind,
  FaultEvent,
  FEEDER_FAULTS,
  JobEndEvent,
  Opcode,
  PageBeginEvent,
  PageEndEvent,
  type StatusEvent,
} from './protocol';

export type { CaptureRequest, CaptureResult, CaptureStatus } from '../device';

const MAX_BUSY_RETRIES = 20;
const PAUSE_ABOVE_BYTES = 8 * 1024 * 1024;
const MAX_PAGES_SEALING = 2;
const RESUME_BELOW_BYTES = 2 * 1024 * 1024;

/**
 * One CAPTURE job on one connection, from the command to the device being free again.
 * Page events are handled strictly in order on a serial chain; a page's fsync overlaps the
 * next page's transfer, but pages take their final names in order. The socket is paused while
 * more than a few MiB wait for the disk, so memory stays bounded whatever the page size. The
 * job is finished only under protocol rule 1: JOB_END, then a later STATUS with buffered 0
 * and READY or IDLE, and no unparsed bytes left on the connection.
 */
export class CaptureRun {
  readonly done: Promise<CaptureResult>;
  private resolveDone!: (result: CaptureResult) => void;
  private chain: Promise<void> = Promise.resolve();
  private queuedBytes = 0;
  private paused = false;
  private writer: PageWriter | null = null;
  private started = false;
  private busyRetries = 0;
  private jobEnd: JobEndEvent | null = null;
  private settled = false;
  /** The result is fixed: nothing more is written, named or counted. */
  private closed = false;
  private readonly pages: CapturedPage[] = [];
  private readonly sealing: Promise<unknown>[] = [];
  /** The last page's naming: each page is named only after the one before it. */
  private published: Promise<void> = Promise.resolve();
  private readonly mismatches: CaptureResult['checksumMismatches'] = [];
  private readonly malformed: NonNullable<CaptureResult['malformedPages']> = [];
  private readonly protocolErrors: CaptureResult['protocolErrors'] = [];
  /** The scanner's last announced page of this job: the next must be exactly one more. */
  private lastScannerPage = 0;
  private deadline: NodeJS.Timeout | null = null;
  private readonly timeLimitMs: number;
  private fault: CaptureResult['fault'] = null;
  private fatal: CaptureResult['error'] = null;
  /** The station page begun and not yet ended by the scanner. */
  private pageOpen: number | null = null;
  /** The station page of a sheet whose page data the station dropped unread (see onDiscarded). */
  private unreadSheet: number | null = null;
  currentPage: number | null = null;

  constructor(
    private readonly conn: ScanLinkConnection,
    readonly request: CaptureRequest,
    /** Gives each of the scanner's pages its station number and records it once named. */
    private readonly sink: PageSink,
    private readonly onPage: (page: CapturedPage) => void,
    /** The device's name, for the operator's alert. */
    private readonly deviceName: string,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timeLimitMs = request.timeLimitMs ?? captureTimeLimitMs(request);
    request.signal?.addEventListener('abort', () => this.abort(), { once: true });
  }

  get jobEnded(): boolean {
    return this.jobEnd !== null;
  }

  start(): void {
    this.armDeadline();
    this.conn.send(Opcode.CAPTURE, {
      job: this.request.jobId,
      pages: this.request.pages,
      dpi: this.request.dpi,
      mode: this.request.mode,
      bitDepth: this.request.bitDepth,
    });
  }

  onFrame(frame: Frame): void {
    if (this.closed) return;
    switch (frame.type) {
      case EventKind.STATUS:
        return; // statuses arrive through onStatus
      case EventKind.FAULT:
        return this.onFault(FaultEvent.parse(parseJson(frame.payload)));
      case EventKind.PAGE_BEGIN: {
        const begin = PageBeginEvent.parse(parseJson(frame.payload));
        if (begin.job !== this.request.jobId) return;
        this.started = true;
        const slot = this.slotForAnnounced(begin.page);
        // A PAGE_BEGIN without PAGE_END: the earlier page is incomplete and is dropped. A page
        // refused here is skipped: its DATA finds no writer and is never written anywhere.
        this.enqueue(0, async () => {
          await this.writer?.discard();
          this.writer =
            slot === null ? null : await PageWriter.open(this.request.mastersDir, slot, begin, begin.format);
        });
        if (slot !== null) this.currentPage = slot;
        this.pageOpen = slot;
        return;
      }
      case EventKind.DATA: {
        const chunk = frame.payload;
        this.enqueue(chunk.length, async () => {
          const writer = this.writer;
          if (!writer) return;
          if (!writer.write(chunk)) await new Promise<void>((resolve) => writer.onceDrained(resolve));
        });
        return;
      }
      case EventKind.PAGE_END: {
        const end = PageEndEvent.parse(parseJson(frame.payload));
        if (end.job !== this.request.jobId) return;
        this.pageOpen = null;
        const announced = this.lastScannerPage;
        this.enqueue(0, async () => {
          const writer = this.writer;
          this.writer = null;
          if (writer && end.page !== announced) {
            this.protocolErrors.push({
              page: writer.page,
              message: `PAGE_END for page ${end.page} ended page ${announced}: the page is not kept`,
            });
            await writer.discard();
          } else if (writer) this.commitPage(writer);
          // At most two pages between their last byte and the disk: small pages on a slow disk
          // hold the stream back instead of piling up open files.
          while (this.sealing.length > MAX_PAGES_SEALING) await this.sealing.shift();
        });
        return;
      }
      case EventKind.JOB_END: {
        const end = JobEndEvent.parse(parseJson(frame.payload));
        if (end.job !== this.request.jobId) return;
        this.jobEnd = end;
        this.started = true;
        // Ask at once instead of waiting for the next keepalive.
        this.conn.send(Opcode.STATUS);
        return;
      }
      default:
        return; // unknown kinds were already skipped by length
    }
  }

  /**
   * The station page for the scanner's announced page, or null (recorded as a protocol error)
   * when it repeats or skips a number, or lies beyond what the job asked for: a sealed page is
   * never reopened, and a batch never numbers past its slots.
   */
  private slotForAnnounced(scannerPage: number): number | null {
    const expected = this.lastScannerPage + 1;
    const refuse = (message: string) => {
      this.protocolErrors.push({ page: scannerPage, message });
      return null;
    };
    if (scannerPage !== expected)
      return refuse(
        scannerPage <= this.lastScannerPage
          ? `page ${scannerPage} was announced again after page ${this.lastScannerPage}: not kept`
          : `page ${scannerPage} was announced where page ${expected} was due: not kept`,
      );
    const slot =
      this.request.pages !== null && scannerPage > this.request.pages ? null : this.sink.slotFor(scannerPage);
    if (slot === null)
      return refuse(
        `page ${scannerPage} is beyond the ${this.request.pages ?? 'available'} page(s) this job asked for: not kept`,
      );
    this.lastScannerPage = scannerPage;
    return slot;
  }

  /** Called for every STATUS, in stream order. */
  onStatus(status: StatusEvent): void {
    if (status.job === this.request.jobId) this.started = true;
    if (this.jobEnd?.status === 'jammed') {
      void this.finishAfterChain();
      return;
    }
    if (this.jobEnd && status.buffered === 0 && (status.state === 'READY' || status.state === 'IDLE')) {
      if (this.conn.unparsedBytes === 0) void this.finishAfterChain();
    } else if (
      !this.started &&
      this.busyRetries > 0 &&
      status.buffered === 0 &&
      (status.state === 'READY' || status.state === 'IDLE')
    ) {
      // The scanner said BUSY to our CAPTURE; it is free now, so ask again.
      this.start();
    }
  }

  /** The connection dropped: whatever page was in flight is lost (rule 6); completed pages stay. */
  onConnectionLost(reason: string): void {
    this.fatal ??= { code: 'CONNECTION_LOST', message: `connection lost: ${reason}`, transient: true };
    void this.finishAfterChain();
  }

  /**
   * Frames the scanner sent that the station dropped unread as it reset the link (a malformed
   * event, and the rest of the read it came in). If they carry page data, the scanner wrote that
   * page out and may count it as delivered, so it will not feed that sheet again: retried at
   * once, its next sheet would take this page's number. Rule 6 ("the page in flight is captured
   * again") covers a drop the scanner sees mid-page; this is the drop-mid-sheet case of
   * ../sheet-in-doubt.ts instead: the device holds until a person puts the sheet back and resets.
   */
  onDiscarded(frames: readonly Frame[]): void {
    if (this.closed || this.unreadSheet !== null) return;
    const pageKinds: readonly number[] = [EventKind.PAGE_BEGIN, EventKind.DATA, EventKind.PAGE_END];
    if (!frames.some((f) => pageKinds.includes(f.type))) return;
    const next = this.lastScannerPage + 1;
    this.unreadSheet =
      this.pageOpen ??
      (this.request.pages !== null && next > this.request.pages ? null : this.sink.slotFor(next));
  }

  private onFault(fault: FaultEvent): void {
    if (fault.job !== null && fault.job !== this.request.jobId && fault.code !== 'BUSY') return;
    if (fault.code === 'BUSY' && !this.started) {
      this.busyRetries += 1;
      if (this.busyRetries > MAX_BUSY_RETRIES) {
        this.fatal = { code: 'BUSY', message: 'the scanner stayed busy', transient: true };
        void this.finishAfterChain();
      }
      return;
    }
    this.fault = { code: fault.code, message: fault.message };
    if (fault.code === 'BAD_COMMAND') {
      this.fatal = {
        code: 'BAD_COMMAND',
        message: `the scanner refused the command: ${fault.message}`,
        transient: false,
      };
      void this.finishAfterChain();
    } else if (!FEEDER_FAULTS.has(fault.code)) {
      this.fatal ??= { code: fault.code, message: fault.message, transient: true };
    }
    // Feeder faults: the scanner follows with STATUS JAMMED and JOB_END jammed (rule 5).
  }

  abort(): void {
    if (this.settled) return;
    this.conn.send(Opcode.ABORT, { job: this.request.jobId });
  }

  private enqueue(bytes: number, task: () => Promise<void>): void {
    this.queuedBytes += bytes;
    if (!this.paused && this.queuedBytes > PAUSE_ABOVE_BYTES) {
      this.paused = true;
      this.conn.pause();
    }
    this.chain = this.chain
      .then(task)
      .catch((error: unknown) => {
        this.fatal ??= { code: 'STAGING_WRITE_FAILED', message: (error as Error).message, transient: false };
        this.abort();
      })
      .finally(() => {
        this.queuedBytes -= bytes;
        if (this.paused && this.queuedBytes < RESUME_BELOW_BYTES) {
          this.paused = false;
          this.conn.resume();
        }
      });
  }

  /**
   * Seals the page (verify + fsync) while the next page streams in, but names pages strictly in
   * order: a crash never leaves page N+1 under its final name while page N is not, since a
   * resumed job continues after the highest named page. After a page fails to reach the disk,
   * later pages are discarded rather than named past the gap.
   */
  private commitPage(writer: PageWriter): void {
    const sealed = writer.seal();
    // Its outcome is handled in order below; this handler only keeps the bound on pages sealing.
    this.sealing.push(sealed.catch(() => {}));
    this.published = this.published.then(async () => {
      try {
        await sealed;
        if (this.fatal?.code === 'STAGING_WRITE_FAILED') {
          await writer.discard();
          return;
        }
        const page = await writer.publish();
        this.pages.push(page);
        // Recorded before the next page is named: a page never sits on disk unrecorded for
        // longer than this step (a crash within it is reconciled from disk on restart).
        try {
          this.sink.named(page);
        } catch (error) {
          this.fatal ??= {
            code: 'PAGE_RECORD_FAILED',
            message: `page ${page.page} is staged but could not be recorded: ${(error as Error).message}`,
            transient: true,
          };
          this.abort();
          return;
        }
        this.onPage(page);
        if (this.request.pages === null) this.armDeadline(); // until empty: each page renews it
      } catch (error) {
        const failure = pageFailureOf(error, writer.page);
        if (failure.kind === 'malformed') this.malformed.push(failure.malformed);
        else if (failure.kind === 'mismatch') this.mismatches.push(failure.mismatch);
        else {
          this.fatal ??= pageFailureError(failure);
          this.abort();
        }
      }
    });
  }

  /**
   * A scanner that never sends JOB_END (or stalls) must not hold the device and the batch
   * forever: past its time limit the job is aborted and fails as retryable.
   */
  private armDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      this.fatal ??= {
        code: 'CAPTURE_TIMEOUT',
        message: `the scanner did not finish the job within ${Math.round(this.timeLimitMs / 1000)} s`,
        transient: true,
      };
      this.abort();
      void this.finishAfterChain();
    }, this.timeLimitMs);
    this.deadline.unref();
  }

  private async finishAfterChain(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    if (this.deadline) clearTimeout(this.deadline);
    // Page events that came while the chain drained (a page under way at the time limit) are
    // waited for too: a page is never named after the result was returned.
    for (;;) {
      const { chain, published } = this;
      await chain;
      await published;
      if (chain === this.chain && published === this.published) break;
    }
    this.closed = true;
    this.pages.sort((a, b) => a.page - b.page);
    this.mismatches.sort((a, b) => a.page - b.page);
    this.malformed.sort((a, b) => a.page - b.page);
    this.protocolErrors.sort((a, b) => a.page - b.page);
    if (this.writer) {
      await this.writer.discard();
      this.writer = null;
    }
    if (this.paused) this.conn.resume();
    this.resolveDone(this.result());
  }

  private result(): CaptureResult {
    // Copies: the caller owns what it was given.
    const base = {
      job: this.request.jobId,
      pages: [...this.pages],
      checksumMismatches: [...this.mismatches],
      protocolErrors: [...this.protocolErrors],
      ...(this.malformed.length > 0 ? { malformedPages: [...this.malformed] } : {}),
      fault: this.fault,
    };
    if (this.unreadSheet !== null && this.fatal?.code === 'CONNECTION_LOST') {
      const why = `${this.fatal.message}; page data it had sent was dropped unread`;
      const doubt = sheetInDoubtFault(this.unreadSheet, this.deviceName, why);
      return {
        ...base,
        status: 'jammed',
        // Page data of it arrived (and was dropped unread): the sheet left the feeder.
        sheetLeftFeeder: this.unreadSheet,
        fault: doubt,
        error: { ...doubt, transient: false },
      };
    }
    if (this.fatal) {
      return {
        ...base,
        status: this.fatal.code === 'CONNECTION_LOST' ? 'interrupted' : 'failed',
        error: this.fatal,
      };
    }
    if (this.protocolErrors.length > 0) {
      return {
        ...base,
        status: 'failed',
        error: {
          code: 'PROTOCOL_ERROR',
          message: this.protocolErrors.map((e) => e.message).join('; '),
          transient: false,
        },
      };
    }
    if (this.malformed.length > 0) {
      return {
        ...base,
        status: 'failed',
        error: {
          code: 'MALFORMED_IMAGE',
          message: this.malformed.map((m) => m.message).join('; '),
          transient: false,
        },
      };
    }
    if (this.mismatches.length > 0) {
      const pages = this.mismatches.map((m) => m.page).join(', ');
      return {
        ...base,
        status: 'failed',
        error: { code: 'CHECKSUM_MISMATCH', message: `corrupt page(s) ${pages}`, transient: false },
      };
    }
    switch (this.jobEnd?.status) {
      case 'complete':
        if (this.request.pages !== null && this.pages.length < this.request.pages) {
          return {
            ...base,
            status: 'failed',
            error: {
              code: 'PAGES_MISSING',
              message: `${this.pages.length} of ${this.request.pages} pages arrived`,
              transient: false,
            },
          };
        }
        return { ...base, status: 'complete', error: null };
      case 'jammed':
        return {
          ...base,
          status: 'jammed',
          error: {
            code: this.fault?.code ?? 'ADF_JAM',
            message: this.fault?.message ?? 'feeder jam',
            transient: false,
          },
        };
      case 'aborted':
        return {
          ...base,
          status: 'aborted',
          error: { code: 'ABORTED', message: 'the job was aborted', transient: false },
        };
      default:
        return {
          ...base,
          status: 'failed',
          error: { code: 'NO_JOB_END', message: 'the job ended without JOB_END', transient: true },
        };
    }
  }
}
