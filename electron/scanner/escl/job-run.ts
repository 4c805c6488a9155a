import type { CaptureRequest, CaptureResult, MalformedPage, MasterFormat } from '../device';
import { pageFailureError, pageFailureOf } from '../page-failure';
import { PageWriter, type CapturedPage } from '../page-writer';
import type { PageSink } from '../page-sink';
import { backoffMs, retryAfterMs, sleep } from './backoff';
import { formatOfMime } from './capabilities';
import { discardBody, header, headerOf, streamGet, type EsclHttp } from './http';
import { jobResult, RunFailure, type Ending, type JobResult, type NamingGap } from './job-result';
import { PageReceiver } from './page-receiver';
import { jobPathFromLocation } from './location';
import { findJob, type EsclStatus } from './scanner-status';
import { scanSettingsXml, type EsclScanSettings } from './scan-settings';

export interface RetryTuning {
  /** First backoff step when a busy device gives no Retry-After. */
  retryBaseMs: number;
  /** No wait is longer than this, Retry-After included. */
  retryCapMs: number;
  /** 503s in a row before the device counts as stuck busy. */
  maxBusyRetries: number;
  /** 404s believed only after this many re-asks while the job still reports Processing. */
  notFoundRetries: number;
}

/** At most this many pages between their last byte and their final name. */
const MAX_PAGES_SEALING = 2;

/**
 * One eSCL scan job, from POST ScanJobs to DELETE. Documents are fetched one at a time and
 * streamed to a PageWriter; a page's fsync overlaps the next page's transfer, but pages take
 * their final names strictly in order and each is recorded (sink.named) before the next is
 * named. A page that breaks off is discarded and the job stops there, so nothing is numbered
 * past the gap and every earlier page stays. Whole pages that arrived after a page that could
 * not be kept or recorded are discarded too, and named in the result, which holds a feeder until
 * a person has put their sheets back (../sheet-in-doubt.ts).
 */
export class EsclJobRun {
  private readonly controller = new AbortController();
  private jobPath: string | null = null;
  private readonly pages: CapturedPage[] = [];
  private readonly sealing: Promise<unknown>[] = [];
  private published: Promise<void> = Promise.resolve();
  /** A page could not be named or recorded: later pages must not be named past it. */
  private namingBroken: NamingGap | null = null;
  /** Pages whose bytes were no whole image (the page writer's structure check): not kept. */
  private readonly malformed: MalformedPage[] = [];
  /** Pages that arrived whole after a page that could not be named: discarded, never numbered past the gap. */
  private readonly notKeptAfterGap: number[] = [];
  private deadline: NodeJS.Timeout | null = null;
  private timedOut = false;
  /** The page asked of NextDocument and not yet received whole. */
  private awaited: number | null = null;
  currentPage: number | null = null;

  constructor(
    private readonly http: EsclHttp,
    private readonly settings: EsclScanSettings,
    readonly request: CaptureRequest,
    private readonly sink: PageSink,
    private readonly tuning: RetryTuning,
    private readonly hooks: {
      readStatus: (signal?: AbortSignal) => Promise<EsclStatus | null>;
      onPage: (page: CapturedPage) => void;
      /** A page's bytes begin to arrive. */
      onPageStart: (page: number) => void;
      onJob: (jobPath: string | null) => void;
    },
    /** The scanner's name at this station, for what its faults say. */
    private readonly deviceName: string,
  ) {
    request.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    if (request.signal?.aborted) this.cancel();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    this.controller.abort(new Error('the job was cancelled'));
  }

  async run(): Promise<CaptureResult> {
    if (this.request.timeLimitMs !== undefined) {
      this.deadline = setTimeout(() => {
        this.timedOut = true;
        this.cancel();
      }, this.request.timeLimitMs);
      this.deadline.unref();
    }
    let ending: Ending = { kind: 'end' };
    let failure: RunFailure | null = null;
    try {
      ending = (await this.createJob()) ?? (await this.fetchPages());
    } catch (error) {
      if (this.signal.aborted) ending = { kind: 'cancelled' };
      else failure = asFailure(error);
    } finally {
      if (this.deadline) clearTimeout(this.deadline);
      await this.deleteJob();
      await this.published;
      await Promise.all(this.sealing);
    }
    return this.result(ending, failure);
  }

  /** POST ScanJobs; an Ending when the device refuses for a reason that ends the batch. */
  private async createJob(): Promise<Ending | null> {
    const body = scanSettingsXml(this.settings);
    for (let busy = 0; ;) {
      const res = await this.http.request('POST', this.http.rootPath('ScanJobs'), {
        body,
        signal: this.signal,
      });
      const location = header(res, 'location');
      await discardBody(res);
      if (res.status === 201 || (res.status >= 200 && res.status < 300 && location)) {
        if (!location)
          throw new RunFailure('ESCL_PROTOCOL', 'the scanner created a job without a Location', false);
        this.jobPath = jobPathFromLocation(location, this.http.address.root);
        this.hooks.onJob(this.jobPath);
        return null;
      }
      if (res.status === 503) {
        await this.waitBusy(++busy, header(res, 'retry-after'));
        continue;
      }
      if (res.status === 409) return this.conflict();
      throw new RunFailure(
        res.status === 400 ? 'UNSUPPORTED_PROFILE' : `HTTP_${res.status}`,
        `the scanner refused the scan job (HTTP ${res.status})`,
        res.status >= 500,
      );
    }
  }

  private async fetchPages(): Promise<Ending> {
    for (let n = 1; ; n++) {
      if (this.request.pages !== null && n > this.request.pages) return { kind: 'end' };
      const slot = this.sink.slotFor(n);
      if (slot === null) return { kind: 'end' };
      this.awaited = slot;
      const outcome = await this.nextDocument(slot);
      if (outcome) return outcome;
      this.awaited = null;
      if (this.namingBroken) return { kind: 'end' };
    }
  }

  /** GET NextDocument until a page arrives (null) or the job ends (an Ending). */
  private async nextDocument(slot: number): Promise<Ending | null> {
    let busy = 0;
    let notFound = 0;
    for (;;) {
      const response: {
        status: number;
        headers: Record<string, string | string[] | undefined>;
        receiver: PageReceiver | null;
      } = { status: 0, headers: {}, receiver: null };
      try {
        await streamGet(this.http, `${this.jobPath}/NextDocument`, this.signal, {
          start: (status, headers, flow) => {
            response.status = status;
            response.headers = headers;
            if (status !== 200) return;
            this.currentPage = slot;
            this.hooks.onPageStart(slot);
            const declared = formatOfMime(headerOf(headers, 'content-type') ?? '') ?? this.settings.format;
            response.receiver = new PageReceiver((format) => this.openWriter(slot, format), declared);
            response.receiver.attach(flow);
          },
          data: (chunk) => response.receiver?.data(chunk),
        });
      } catch (error) {
        await response.receiver?.discard();
        if (this.signal.aborted) throw error;
        const message = (error as Error).message;
        return {
          kind: 'lost',
          page: slot,
          message: response.receiver
            ? `page ${slot} broke off: ${message}`
            : `the connection failed before page ${slot}: ${message}`,
        };
      }
      switch (response.status) {
        case 200:
          return this.finishPage(response.receiver!, response.headers, slot);
        case 503:
          await this.waitBusy(++busy, headerOf(response.headers, 'retry-after'));
          continue;
        case 404: {
          const status = await this.hooks.readStatus(this.signal);
          const job = status && this.jobPath ? findJob(status, this.jobPath) : null;
          // Some devices answer 404 while the next page is still being scanned: ask again a few times.
          if (job?.state === 'Processing' && notFound < this.tuning.notFoundRetries) {
            await sleep(backoffMs(++notFound, this.tuning.retryBaseMs, this.tuning.retryCapMs), this.signal);
            continue;
          }
          if (status?.adf === 'jam' || job?.reasons.some((r) => /jam/i.test(r)))
            return { kind: 'jammed', adfState: status?.adfState ?? job?.reasons.join(', ') ?? 'jam' };
          if (job?.state === 'Canceled') return { kind: 'cancelled' };
          // A job the scanner aborted for a reason other than running out of paper did not end
          // the batch: the pages so far stay, and the failure says why.
          if (job?.state === 'Aborted' && status?.adf !== 'empty')
            throw new RunFailure(
              'SCANNER_ABORTED',
              `the scanner aborted the job (${job.reasons.join(', ') || 'no reason given'}, feeder ${status?.adfState ?? 'unknown'})`,
              true,
            );
          return { kind: 'end' };
        }
        case 409:
          return this.conflict();
        case 410:
          return { kind: 'cancelled' };
        default:
          throw new RunFailure(
            `HTTP_${response.status}`,
            `NextDocument answered HTTP ${response.status}`,
            response.status >= 500,
          );
      }
    }
  }

  /** The body arrived whole: check its length against Content-Length, then seal and name it. */
  private async finishPage(
    receiver: PageReceiver,
    headers: Record<string, string | string[] | undefined>,
    slot: number,
  ): Promise<Ending | null> {
    let writer: PageWriter | null;
    try {
      writer = await receiver.end();
    } catch (error) {
      await receiver.discard();
      if (error instanceof RunFailure) throw error;
      throw new RunFailure('STAGING_WRITE_FAILED', (error as Error).message, false);
    }
    if (!writer) return { kind: 'lost', page: slot, message: `page ${slot} arrived empty` };
    const declared = headerOf(headers, 'content-length');
    if (declared !== null && Number(declared) !== writer.receivedBytes) {
      await writer.discard();
      return {
        kind: 'lost',
        page: slot,
        message: `page ${slot} ended after ${writer.receivedBytes} of ${declared} bytes`,
      };
    }
    await this.commit(writer);
    return null;
  }

  /** 409: the feeder says why. A jam stops the batch for the operator; an empty feeder ends it. */
  private async conflict(): Promise<Ending> {
    const status = await this.hooks.readStatus(this.signal);
    if (status?.adf === 'jam' || status?.adf === 'open')
      return { kind: 'jammed', adfState: status.adfState ?? 'jam' };
    if (status?.adf === 'empty' || status?.adf === null) return { kind: 'end' };
    throw new RunFailure(
      'ESCL_CONFLICT',
      `the scanner refused (HTTP 409) while reporting ${status ? `${status.state}, feeder ${status.adfState}` : 'no status'}`,
      true,
    );
  }

  private async waitBusy(attempt: number, retryAfter: string | null): Promise<void> {
    if (attempt > this.tuning.maxBusyRetries)
      throw new RunFailure('BUSY', `the scanner stayed busy (HTTP 503 ${attempt - 1} times)`, true);
    const asked = retryAfterMs(retryAfter);
    const wait =
      asked !== null
        ? Math.min(asked, this.tuning.retryCapMs)
        : backoffMs(attempt, this.tuning.retryBaseMs, this.tuning.retryCapMs);
    await sleep(wait, this.signal);
  }

  private async openWriter(slot: number, format: MasterFormat): Promise<PageWriter> {
    try {
      return await PageWriter.open(this.request.mastersDir, slot, null, format);
    } catch (error) {
      throw new RunFailure('STAGING_WRITE_FAILED', (error as Error).message, false);
    }
  }

  /**
   * Seals the page (fsync) while the next one streams in; names pages in order and records each
   * before the next is named. After a page fails to be named, later pages are discarded.
   */
  private async commit(writer: PageWriter): Promise<void> {
    const sealed = writer.seal();
    this.sealing.push(sealed.catch(() => {}));
    this.published = this.published.then(async () => {
      try {
        await sealed;
        if (this.namingBroken) {
          this.notKeptAfterGap.push(writer.page);
          await writer.discard();
          return;
        }
        const page = await writer.publish();
        this.pages.push(page);
        try {
          this.sink.named(page);
        } catch (error) {
          const why = (error as Error).message;
          // Transient only if no sheet was fed after it: otherwise the result holds the feeder.
          this.namingBroken = {
            page: page.page,
            failed: 'recorded',
            why,
            error: {
              code: 'PAGE_RECORD_FAILED',
              message: `page ${page.page} is staged but could not be recorded: ${why}`,
              transient: true,
            },
          };
          return;
        }
        this.hooks.onPage(page);
      } catch (error) {
        // A truncated or undecodable image never gets a final name, and nothing is named past it.
        const failure = pageFailureOf(error, writer.page);
        if (failure.kind === 'malformed') this.malformed.push(failure.malformed);
        const failed = pageFailureError(failure);
        this.namingBroken ??= { page: writer.page, failed: 'kept', why: failed.message, error: failed };
        await writer.discard();
      }
    });
    while (this.sealing.length > MAX_PAGES_SEALING) await this.sealing.shift();
  }

  /** DELETE the job whether it ended, failed or was cancelled; a device that forgot it is fine. */
  private async deleteJob(): Promise<void> {
    if (!this.jobPath) return;
    try {
      const res = await this.http.request('DELETE', this.jobPath, { signal: AbortSignal.timeout(10_000) });
      await discardBody(res);
    } catch {
      // The device may have dropped the job already; nothing of ours depends on it.
    }
    this.hooks.onJob(null);
  }

  private result(ending: Ending, failure: RunFailure | null): JobResult {
    return jobResult({
      jobId: this.request.jobId,
      requested: this.request.pages,
      timeLimitMs: this.timedOut ? (this.request.timeLimitMs ?? 0) : null,
      pages: this.pages,
      malformed: this.malformed,
      notKeptAfterGap: this.notKeptAfterGap,
      namingBroken: this.namingBroken,
      failure,
      ending,
      device: this.deviceName,
      feeder: this.settings.source !== 'flatbed',
      // The flatbed keeps its page; an operator's cancel is the operator's to judge.
      sheetAwaited:
        this.settings.source === 'flatbed' || (ending.kind === 'cancelled' && !this.timedOut)
          ? null
          : ending.kind === 'lost'
            ? ending.page
            : this.awaited,
    });
  }
}

function asFailure(error: unknown): RunFailure {
  if (error instanceof RunFailure) return error;
  const message = (error as Error).message ?? String(error);
  return new RunFailure('CONNECTION_FAILED', `the scanner could not be reached: ${message}`, true);
}
