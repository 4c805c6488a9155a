import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { SimulatorFault } from '../../shared/contract/index';
import { parseJson, type Frame } from '../scanner/scanlink/codec';
import { ScanLinkConnection } from '../scanner/scanlink/connection';
import { EventKind, ScanLinkId, ScanMode, StatusEvent } from '../scanner/scanlink/protocol';
import { ScanLinkDevice } from '../scanner/scanlink/scanlink-device';
import { ScanLinkSimulator } from '../scanner/simulator/simulator';
import { assertSafeId } from '../storage/index';
import { endProgress, failWith, printJson, progress } from './common';

function hostPort(value: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535)
    throw new InvalidArgumentError('expected HOST:PORT, for example 127.0.0.1:9100');
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}

/** `--fault jam-at:3`, `drop-mid-page:2`, `corrupt-checksum:1`, `not-tiff:2`, `duplicate-page:2`, `garbage-after:1`, `slow-flush:BYTES_PER_S`, `byte-at-a-time`, `status-storm:PER_S`. */
export function parseFault(value: string, previous: SimulatorFault[] = []): SimulatorFault[] {
  const [name, arg] = value.split(':');
  const n = Number(arg);
  const candidates: Record<string, unknown> = {
    'jam-at': { kind: 'jamAtPage', page: n },
    'drop-mid-page': { kind: 'dropMidPage', page: n },
    'corrupt-checksum': { kind: 'corruptChecksum', page: n },
    'not-tiff': { kind: 'notTiffAtPage', page: n },
    'duplicate-page': { kind: 'duplicatePage', page: n },
    'garbage-after': { kind: 'garbageAfterPage', page: n },
    'slow-flush': { kind: 'slowFlush', bytesPerSecond: n },
    'byte-at-a-time': { kind: 'byteAtATime' },
    'status-storm': { kind: 'statusStorm', perSecond: n },
  };
  const parsed = SimulatorFault.safeParse(candidates[name ?? '']);
  if (!parsed.success) {
    throw new InvalidArgumentError(
      `unknown or incomplete fault "${value}"; use jam-at:N, drop-mid-page:N, corrupt-checksum:N, not-tiff:N, duplicate-page:N, garbage-after:N, slow-flush:BPS, byte-at-a-time or status-storm:N`,
    );
  }
  return [...previous, parsed.data];
}

export function registerScannerCommands(program: Command): void {
  program
    .command('probe')
    .description('connect to a ScanLink/1 scanner and print its HELLO and STATUS')
    .argument('<host:port>', 'scanner address', hostPort)
    .option('--timeout <ms>', 'give up after this long', positiveInt('--timeout'), 5000)
    .action(async (address: { host: string; port: number }, opts: { timeout: number }) => {
      const conn = new ScanLinkConnection({
        ...address,
        clientName: 'quire-probe',
        reconnectInitialMs: 100,
        connectTimeoutMs: opts.timeout,
      });
      const result = await new Promise<{ hello: unknown; status: unknown } | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), opts.timeout);
        conn.on('frame', (frame: Frame) => {
          if (frame.type !== EventKind.STATUS || !conn.hello) return;
          const status = StatusEvent.safeParse(parseJson(frame.payload));
          if (status.success) {
            clearTimeout(timer);
            resolve({ hello: conn.hello, status: status.data });
          }
        });
        conn.start();
      });
      conn.stop();
      if (!result) {
        failWith(2, {
          code: 'UNREACHABLE',
          message: `no ScanLink/1 answer from ${address.host}:${address.port}: ${conn.lastError ?? 'timeout'}`,
        });
      }
      printJson(result);
      process.exit(0);
    });

  program
    .command('capture')
    .description('capture a job from a scanner into OUT/JOB/masters/page-NNNN.tif, verifying every page')
    .argument('<host:port>', 'scanner address', hostPort)
    .requiredOption('--job <id>', 'job id (1–64 of A–Z a–z 0–9 . _ -)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--pages <n>', 'pages to capture (default: until the feeder is empty)', positiveInt('--pages'))
    .option('--dpi <dpi>', 'resolution', positiveInt('--dpi'), 300)
    .option('--mode <mode>', 'color, gray or bw', 'gray')
    .option('--bit-depth <bits>', '1, 8 or 16', '8')
    .action(
      async (
        address: { host: string; port: number },
        opts: { job: string; out: string; pages?: number; dpi: number; mode: string; bitDepth: string },
      ) => {
        if (!ScanLinkId.safeParse(opts.job).success)
          failWith(2, {
            code: 'INVALID_ARGUMENT',
            message: `--job ${JSON.stringify(opts.job)}: use 1–64 of A–Z a–z 0–9 . _ -`,
          });
        assertSafeId(opts.job, 'job id');
        const mode = ScanMode.safeParse(opts.mode);
        const bitDepth = Number(opts.bitDepth);
        if (!mode.success)
          failWith(2, { code: 'INVALID_ARGUMENT', message: '--mode must be color, gray or bw' });
        if (![1, 8, 16].includes(bitDepth))
          failWith(2, { code: 'INVALID_ARGUMENT', message: '--bit-depth must be 1, 8 or 16' });
        const device = new ScanLinkDevice({
          config: {
            name: 'cli',
            ...address,
            profile: { dpi: opts.dpi, mode: mode.data, bitDepth: bitDepth as 1 | 8 | 16 },
          },
          readyTimeoutMs: 15_000,
          breakerThreshold: 1000,
        });
        device.on('status', (s) =>
          progress(
            `${opts.job}: ${s.state.toLowerCase()}, page ${s.page ?? '-'}, ${s.pagesPerMinute} pages/min, ${s.buffered} bytes buffered`,
          ),
        );
        device.connect();
        const result = await device.capture({
          jobId: opts.job,
          pages: opts.pages ?? null,
          dpi: opts.dpi,
          mode: mode.data,
          bitDepth: bitDepth as 1 | 8 | 16,
          mastersDir: path.join(path.resolve(opts.out), opts.job, 'masters'),
        });
        device.disconnect();
        endProgress();
        const out = {
          job: result.job,
          status: result.status,
          pages: result.pages.map((p) => ({ page: p.page, bytes: p.bytes, sha256: p.sha256, path: p.path })),
          ...(result.checksumMismatches.length ? { checksumMismatches: result.checksumMismatches } : {}),
          ...(result.fault ? { fault: result.fault } : {}),
        };
        if (result.status !== 'complete')
          failWith(
            1,
            { code: result.error?.code ?? 'FAILED', message: result.error?.message ?? result.status },
            out,
          );
        printJson(out);
        process.exit(0);
      },
    );

  program
    .command('simulate')
    .description('run a simulated ScanLink/1 scanner on loopback until interrupted')
    .option('--port <port>', 'port (default: a free one)', '0')
    .option('--pages <n>', 'sheets in the feeder (default: endless)', positiveInt('--pages'))
    .option(
      '--fault <fault>',
      'inject a fault (repeatable): jam-at:N, drop-mid-page:N, corrupt-checksum:N, not-tiff:N, duplicate-page:N, garbage-after:N, slow-flush:BPS, byte-at-a-time, status-storm:N',
      parseFault,
      [],
    )
    .option('--feed-ms <ms>', 'time to feed one sheet', '300')
    .option('--capture-ms <ms>', 'time to scan one sheet', '400')
    .option('--page-inches <WxH>', 'page size in inches', '8.27x11.69')
    .action(
      async (opts: {
        port: string;
        pages?: number;
        fault: SimulatorFault[];
        feedMs: string;
        captureMs: string;
        pageInches: string;
      }) => {
        const [w, h] = opts.pageInches.split('x').map(Number);
        if (!w || !h)
          failWith(2, { code: 'INVALID_ARGUMENT', message: '--page-inches must look like 8.27x11.69' });
        const simulator = new ScanLinkSimulator({
          sheets: opts.pages ?? null,
          faults: opts.fault,
          feedMs: Number(opts.feedMs),
          captureMs: Number(opts.captureMs),
          pageWidthInches: w,
          pageHeightInches: h,
        });
        const port = await simulator.start(Number(opts.port));
        printJson({
          simulator: 'ScanLink/1',
          host: '127.0.0.1',
          port,
          sheets: opts.pages ?? null,
          faults: opts.fault,
        });
        const stop = async () => {
          await simulator.stop();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop());
        process.once('SIGTERM', () => void stop());
      },
    );
}
