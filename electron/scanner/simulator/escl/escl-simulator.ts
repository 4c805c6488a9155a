import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SimulatorFault } from '../../../../shared/contract/index';
import {
  esclFaultOf,
  NO_ESCL_FAULTS,
  withEsclFault,
  type EsclFaults,
  type EsclSimFault,
} from './escl-faults';
import { PageRenderer, type SimFormat } from './escl-sim-pages';
import { drain, parseSettings, readBody } from './escl-sim-requests';
import { sendDocument } from './escl-sim-send';
import {
  capabilitiesXml,
  SIM_COLOR_MODES,
  SIM_RESOLUTIONS,
  statusXml,
  type SimJobView,
} from './escl-sim-xml';

const PWG = 'http://www.pwg.org/schemas/2010/12/sm';
const SCAN = 'http://schemas.hp.com/imaging/escl/2011/05/03';

export interface EsclSimulatorOptions {
  /** Sheets in the feeder at start (null: endless). Default 10. */
  sheets?: number | null;
  /** MIME types offered. Default TIFF, PNG and JPEG. */
  formats?: SimFormat[];
  pageWidthInches?: number;
  pageHeightInches?: number;
  /** Pages differ sheet by sheet (default); false: every sheet is the same image (benchmarks). */
  distinctPages?: boolean;
  make?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  /** The eSCL root path. Default `/eSCL`. */
  root?: string;
  /** How the Location of a new job is written; devices in the field do all of these. */
  location?: 'absolute' | 'relative' | 'bogus-host' | 'broken-ipv6';
  /** HP firmware spells AdfState `ScannedAdf…`. */
  adfStatePrefix?: 'ScannerAdf' | 'ScannedAdf';
  /** Answer 400 to a request whose Host header lacks the port (as some devices do). */
  requireHostWithPort?: boolean;
  /** A job nobody has asked anything of for this long is aborted, freeing the scanner. */
  abandonedJobMs?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  faults?: EsclSimFault[];
}

/** One document the simulator sent, for test oracles: the masters must be exactly the complete ones. */
export interface SentDocument {
  job: string;
  /** The document's number within its job, 1-based. */
  page: number;
  sheet: number;
  format: SimFormat;
  bytes: number;
  sha256: string;
  /** False when the body was cut off (by a fault or because the client went away). */
  complete: boolean;
  /** The HTTP message was whole but the image in it was not (truncatedImageAtPage). */
  damaged?: true;
}

interface SimJob {
  id: string;
  source: 'Platen' | 'Feeder';
  duplex: boolean;
  colorMode: string;
  dpi: number;
  format: SimFormat;
  widthInches: number;
  heightInches: number;
  state: SimJobView['state'];
  reason: string;
  served: number;
  backPending: boolean;
  created: number;
  touched: number;
}

/**
 * A network scanner speaking eSCL over HTTP on loopback, written from the eSCL specification
 * like any other peer: ScannerCapabilities, ScannerStatus, ScanJobs, NextDocument and DELETE,
 * real TIFF/PNG/JPEG pages, a feeder with a sheet count, one job at a time, and injectable
 * faults. Everything it sends is recorded in `sent`.
 */
export class EsclSimulator {
  private server: http.Server | https.Server | null = null;
  private readonly root: string;
  private sheets: number | null;
  private jammed = false;
  private faults: EsclFaults = { ...NO_ESCL_FAULTS };
  private readonly jobs = new Map<string, SimJob>();
  private active: SimJob | null = null;
  private sheetCounter = 0;
  private readonly renderer = new PageRenderer();
  readonly identity;
  readonly sent: SentDocument[] = [];
  /** Every job created, in order, and how often a second job was refused while one ran. */
  readonly jobsCreated: string[] = [];
  refusedWhileBusy = 0;
  /** Requests whose Host header lacked the port. */
  hostWithoutPort = 0;

  constructor(private readonly options: EsclSimulatorOptions = {}) {
    this.root = (options.root ?? '/eSCL').replace(/\/+$/, '');
    this.sheets = options.sheets === undefined ? 10 : options.sheets;
    this.identity = {
      make: options.make ?? 'Quire',
      model: options.model ?? 'Simulated eSCL Scanner',
      serial: options.serial ?? `ESCL-${Math.floor(Math.random() * 1e6)}`,
      firmware: options.firmware ?? '1.0-sim',
      uuid: randomUUID(),
      formats: options.formats ?? ['image/tiff', 'image/png', 'image/jpeg'],
      maxWidth: Math.round((options.pageWidthInches ?? 8.5) * 300),
      maxHeight: Math.round((options.pageHeightInches ?? 11) * 300),
    };
    for (const fault of options.faults ?? []) this.inject(fault);
  }

  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : 0;
  }

  /** The address a client is given: `http(s)://127.0.0.1:PORT/eSCL`. */
  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}${this.root}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String((error as Error).message));
        else res.destroy();
      });
    this.server = this.options.tls
      ? https.createServer(this.options.tls, handler)
      : http.createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  inject(fault: EsclSimFault): void {
    if (fault.kind === 'emptyFeeder') this.sheets = 0;
    else this.faults = withEsclFault(this.faults, fault);
  }

  /**
   * The console's fault menu (the ScanLink simulator's kinds), mapped to their eSCL forms where
   * one exists. Returns false for kinds eSCL has no form of.
   */
  injectContractFault(fault: SimulatorFault): boolean {
    const mapped = esclFaultOf(fault);
    if (mapped) this.inject(mapped);
    return mapped !== null;
  }

  /** An operator puts sheets in the feeder (null: endless). */
  loadSheets(count: number | null): void {
    this.sheets = count;
  }

  get sheetsLeft(): number | null {
    return this.sheets;
  }

  /** An operator clears the jammed sheet from the feeder. */
  clearJam(): void {
    this.jammed = false;
  }

  /** The documents of one job that arrived whole, in the order they were sent. */
  completeDocuments(job?: string): SentDocument[] {
    return this.sent.filter((d) => d.complete && !d.damaged && (job === undefined || d.job === job));
  }

  private adfState(): string {
    const prefix = this.options.adfStatePrefix ?? 'ScannerAdf';
    if (this.jammed) return `${prefix}Jam`;
    if (this.active?.source === 'Feeder') return `${prefix}Processing`;
    return `${prefix}${this.sheets === 0 ? 'Empty' : 'Loaded'}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (!/:\d+$/.test(host)) {
      this.hostWithoutPort += 1;
      if (this.options.requireHostWithPort) return void res.writeHead(400).end('Host header needs the port');
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (!path.startsWith(`${this.root}/`)) return void res.writeHead(404).end();
    const rest = path.slice(this.root.length + 1);
    if (method === 'GET' && rest === 'ScannerCapabilities')
      return this.xml(res, capabilitiesXml(this.identity, this.root));
    if (method === 'GET' && rest === 'ScannerStatus') return this.xml(res, this.statusDocument());
    if (method === 'POST' && rest === 'ScanJobs') return this.createJob(req, res);
    const match = /^ScanJobs\/([^/]+)(\/NextDocument|\/ScanImageInfo)?\/?$/.exec(rest);
    const job = match ? this.jobs.get(match[1]!) : undefined;
    if (!match || !job) return void (await drain(req), res.writeHead(404).end());
    job.touched = Date.now();
    if (method === 'DELETE' && !match[2]) return this.deleteJob(job, res);
    if (method === 'GET' && match[2] === '/NextDocument') return this.nextDocument(job, res);
    if (method === 'GET' && match[2] === '/ScanImageInfo') return this.xml(res, this.imageInfo(job));
    res.writeHead(405).end();
  }

  private xml(res: http.ServerResponse, body: string): void {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) }).end(body);
  }

  private statusDocument(): string {
    const now = Date.now();
    const views: SimJobView[] = [...this.jobs.values()].slice(-10).map((j) => ({
      uri: `${this.root}/ScanJobs/${j.id}`,
      uuid: j.id,
      state: j.state,
      reason: j.reason,
      imagesCompleted: j.served,
      imagesToTransfer: j.state === 'Processing' ? 1 : 0,
      ageSeconds: Math.round((now - j.created) / 1000),
    }));
    return statusXml(this.active ? 'Processing' : 'Idle', this.adfState(), views);
  }

  private imageInfo(job: SimJob): string {
    return `<?xml version="1.0" encoding="UTF-8"?><scan:ScanImageInfo xmlns:scan="${SCAN}" xmlns:pwg="${PWG}"><pwg:JobUri>${this.root}/ScanJobs/${job.id}</pwg:JobUri><pwg:JobUuid>${job.id}</pwg:JobUuid><scan:ActualWidth>${Math.round(job.widthInches * job.dpi)}</scan:ActualWidth><scan:ActualHeight>${Math.round(job.heightInches * job.dpi)}</scan:ActualHeight></scan:ScanImageInfo>`;
  }

  private takeBusy(res: http.ServerResponse): boolean {
    const busy = this.faults.busy;
    if (!busy || busy.times <= 0) return false;
    busy.times -= 1;
    if (busy.times === 0) this.faults.busy = null;
    const headers: Record<string, string> = {};
    if (busy.retryAfterSeconds !== null) headers['retry-after'] = String(busy.retryAfterSeconds);
    res.writeHead(503, headers).end();
    return true;
  }

  private finish(job: SimJob, state: SimJobView['state'], reason: string): void {
    job.state = state;
    job.reason = reason;
    if (this.active === job) this.active = null;
  }

  private async createJob(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.takeBusy(res)) return;
    const abandoned = this.options.abandonedJobMs ?? 30_000;
    if (this.active && Date.now() - this.active.touched > abandoned)
      this.finish(this.active, 'Aborted', 'JobTimedOut');
    if (this.active) {
      this.refusedWhileBusy += 1;
      return void res.writeHead(503, { 'retry-after': '1' }).end();
    }
    const settings = parseSettings(body);
    if (typeof settings === 'string') return void res.writeHead(400).end(settings);
    if (!SIM_COLOR_MODES.includes(settings.colorMode) || !SIM_RESOLUTIONS.includes(settings.dpi))
      return void res.writeHead(400).end('unsupported colour mode or resolution');
    const format = (settings.format ?? 'image/jpeg') as SimFormat;
    if (!this.identity.formats.includes(format))
      return void res.writeHead(400).end(`unsupported format ${format}`);
    if (settings.source === 'Feeder' && (this.jammed || this.sheets === 0))
      return void res.writeHead(409).end();
    const width = Math.min(settings.width ?? this.identity.maxWidth, this.identity.maxWidth) / 300;
    const height = Math.min(settings.height ?? this.identity.maxHeight, this.identity.maxHeight) / 300;
    const now = Date.now();
    const job: SimJob = {
      id: randomUUID(),
      source: settings.source,
      duplex: settings.duplex,
      colorMode: settings.colorMode,
      dpi: settings.dpi,
      format,
      widthInches: width,
      heightInches: height,
      state: 'Processing',
      reason: 'JobScanning',
      served: 0,
      backPending: false,
      created: now,
      touched: now,
    };
    this.jobs.set(job.id, job);
    // A simulator left running under `npm start` keeps only its recent jobs.
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= 100) break;
      if (this.jobs.get(id) !== this.active) this.jobs.delete(id);
    }
    this.jobsCreated.push(job.id);
    this.active = job;
    const path = `${this.root}/ScanJobs/${job.id}`;
    const location = {
      absolute: `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}${path}`,
      relative: path,
      'bogus-host': `http://printer.invalid:8080${path}`,
      'broken-ipv6': `http://fe80::1%eth0:80${path}`,
    }[this.options.location ?? 'absolute'];
    res.writeHead(201, { location, 'content-length': 0 }).end();
  }

  private deleteJob(job: SimJob, res: http.ServerResponse): void {
    if (job.state === 'Processing') this.finish(job, 'Canceled', 'JobCanceledByUser');
    res.writeHead(200, { 'content-length': 0 }).end();
  }

  private async nextDocument(job: SimJob, res: http.ServerResponse): Promise<void> {
    if (job.state === 'Canceled') return void res.writeHead(410).end();
    if (job.state !== 'Processing') return void res.writeHead(404).end();
    const page = job.served + 1;
    const f = this.faults;
    if (f.cancelAtPage === page) {
      f.cancelAtPage = null;
      this.finish(job, 'Canceled', 'JobCanceledAtDevice');
      return void res.writeHead(410).end();
    }
    if (f.abortAtPage === page) {
      f.abortAtPage = null;
      this.finish(job, 'Aborted', 'ServiceOffLine');
      return void res.writeHead(404).end();
    }
    if (this.takeBusy(res)) return;
    if (f.early404 && f.early404.page === page && f.early404.times > 0) {
      f.early404.times -= 1;
      if (f.early404.times === 0) f.early404 = null;
      return void res.writeHead(404).end();
    }
    let sheet: number;
    if (job.source === 'Platen') {
      if (job.served > 0)
        return void (this.finish(job, 'Completed', 'JobCompletedSuccessfully'), res.writeHead(404).end());
      sheet = this.sheetCounter++;
    } else if (job.backPending) {
      job.backPending = false;
      sheet = this.sheetCounter++;
    } else {
      if (this.jammed || f.jamAtPage === page) {
        if (f.jamAtPage === page) f.jamAtPage = null;
        this.jammed = true;
        this.finish(job, 'Aborted', 'JamAtFeeder');
        return void res.writeHead(409).end();
      }
      if (this.sheets === 0)
        return void (this.finish(job, 'Completed', 'JobCompletedSuccessfully'), res.writeHead(404).end());
      if (this.sheets !== null) this.sheets -= 1;
      job.backPending = job.duplex;
      sheet = this.sheetCounter++;
    }
    const variant = this.options.distinctPages === false ? 0 : sheet;
    let bytes = await this.renderer.render(job, variant);
    const damaged = f.truncatedImageAtPage === page;
    if (damaged) {
      f.truncatedImageAtPage = null;
      bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
    }
    job.served = page;
    const record: SentDocument = {
      job: job.id,
      page,
      sheet,
      format: job.format,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      complete: false,
      ...(damaged ? { damaged: true as const } : {}),
    };
    this.sent.push(record);
    res.on('finish', () => (record.complete = true));
    await sendDocument(res, bytes, page, job.format, this.faults);
  }
}
