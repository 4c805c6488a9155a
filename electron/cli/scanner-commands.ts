import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import {
  SimulatorFault,
  type DriverName,
  type ScanProfile,
  type ScanSource,
} from '../../shared/contract/index';
import { SAFE_ID_PATTERN } from '../../shared/domain/safe-id';
import type { Device } from '../scanner/device';
import { createDevice, parseDeviceUrl, UnknownDriverError } from '../scanner/fleet';
import { SHEET_IN_DOUBT } from '../scanner/sheet-in-doubt';
import { ScanLinkSimulator } from '../scanner/simulator/simulator';
import { assertSafeId } from '../storage/index';
import { endProgress, failWith, printJson, progress } from './common';

const ScanLinkId = z.string().regex(SAFE_ID_PATTERN);
const ScanMode = z.enum(['color', 'gray', 'bw']);

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

/** A scanner URL as the fleet reads it (HOST:PORT, scanlink://, http(s)://…/eSCL, sane:DEVICE). */
function deviceUrl(value: string): { driver: DriverName; address: string } {
  try {
    return parseDeviceUrl(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--sane-option NAME=VALUE`, repeatable: passed through to the driver. */
function driverOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError(`"${value}": write NAME=VALUE, e.g. --sane-option source=ADF`);
  return { ...previous, [value.slice(0, at).replace(/^--?/, '')]: value.slice(at + 1) };
}

/** Builds the device the URL names through the fleet's one factory; an unknown driver is a clear error. */
function deviceFor(
  url: { driver: DriverName; address: string },
  profile: ScanProfile,
  driverOptions?: Record<string, string>,
): Device {
  try {
    return createDevice({ name: 'cli', ...url, profile, ...(driverOptions ? { driverOptions } : {}) });
  } catch (error) {
    const code = error instanceof UnknownDriverError ? 'DRIVER_UNAVAILABLE' : 'INVALID_ARGUMENT';
    failWith(2, { code, message: (error as Error).message });
  }
}

/** Resolves once the device has answered (capabilities known and online), or null after `ms`. */
function untilReachable(device: Device, ms: number): Promise<boolean> {
  const reached = () => {
    const state = device.status().state;
    return device.capabilities() !== null && state !== 'OFFLINE' && state !== 'CONNECTING';
  };
  return new Promise((resolve) => {
    if (reached()) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    device.on('status', () => {
      if (!reached()) return;
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export function registerScannerCommands(program: Command): void {
  program
    .command('probe')
    .description(
      'reach a scanner and print who it is, what it can do and its state: URL is HOST:PORT or scanlink://HOST:PORT, http(s)://HOST:PORT/eSCL, or sane:DEVICE',
    )
    .argument('<url>', 'scanner URL', deviceUrl)
    .option('--timeout <ms>', 'give up after this long', positiveInt('--timeout'), 5000)
    .action(async (url: { driver: DriverName; address: string }, opts: { timeout: number }) => {
      const device = deviceFor(url, { dpi: 300, mode: 'gray', bitDepth: 8 });
      device.connect();
      const reached = await untilReachable(device, opts.timeout);
      const status = device.status();
      device.disconnect();
      await device.close?.();
      if (!reached) {
        failWith(2, {
          code: 'UNREACHABLE',
          message: `no answer from ${url.driver} scanner ${url.address}: ${status.lastError ?? 'timeout'}`,
        });
      }
      printJson({
        driver: url.driver,
        address: url.address,
        identity: status.identity,
        capabilities: device.capabilities(),
        status,
        ...(device.probeDetails?.() ?? {}),
      });
      process.exit(0);
    });

  program
    .command('capture')
    .description(
      "capture a job from a scanner into OUT/JOB/masters/page-NNNN.<ext> (the real format's extension), checking every page; URL as for probe",
    )
    .argument('<url>', 'scanner URL', deviceUrl)
    .requiredOption('--job <id>', 'job id (1–64 of A–Z a–z 0–9 . _ -)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--pages <n>', 'pages to capture (default: until the feeder is empty)', positiveInt('--pages'))
    .option('--source <source>', 'adf (the feeder), duplex or flatbed')
    .option('--dpi <dpi>', 'resolution', positiveInt('--dpi'), 300)
    .option('--mode <mode>', 'color, gray or bw', 'gray')
    .option('--bit-depth <bits>', '1, 8 or 16', '8')
    .option('--allow-lossy', 'accept JPEG or PDF masters where the scanner offers nothing lossless')
    .option(
      '--sane-option <NAME=VALUE>',
      'a driver option (repeatable), e.g. a SANE backend option',
      driverOption,
    )
    .action(
      async (
        url: { driver: DriverName; address: string },
        opts: {
          job: string;
          out: string;
          pages?: number;
          source?: string;
          dpi: number;
          mode: string;
          bitDepth: string;
          allowLossy?: boolean;
          saneOption?: Record<string, string>;
        },
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
        const sources: Record<string, ScanSource> = {
          adf: 'feeder',
          feeder: 'feeder',
          duplex: 'duplex',
          flatbed: 'flatbed',
        };
        const source = opts.source === undefined ? undefined : sources[opts.source];
        if (opts.source !== undefined && !source)
          failWith(2, { code: 'INVALID_ARGUMENT', message: '--source must be adf, duplex or flatbed' });
        const profile = { dpi: opts.dpi, mode: mode.data, bitDepth: bitDepth as 1 | 8 | 16 };
        const device = deviceFor(url, profile, opts.saneOption);
        device.on('status', (s) =>
          progress(
            `${opts.job}: ${s.state.toLowerCase()}, page ${s.page ?? '-'}, ${s.pagesPerMinute} pages/min, ${s.buffered} bytes buffered`,
          ),
        );
        device.connect();
        const result = await device.capture({
          jobId: opts.job,
          pages: opts.pages ?? null,
          ...profile,
          ...(source ? { source } : {}),
          allowLossy: opts.allowLossy ?? false,
          ...(opts.saneOption ? { driverOptions: opts.saneOption } : {}),
          mastersDir: path.join(path.resolve(opts.out), opts.job, 'masters'),
        });
        device.disconnect();
        await device.close?.();
        endProgress();
        const out = {
          job: result.job,
          status: result.status,
          ...(result.status === 'jammed'
            ? { outcome: result.fault?.code === SHEET_IN_DOUBT ? 'sheet in doubt' : 'jam' }
            : {}),
          pages: result.pages.map((p) => ({ page: p.page, bytes: p.bytes, sha256: p.sha256, path: p.path })),
          ...(result.checksumMismatches.length ? { checksumMismatches: result.checksumMismatches } : {}),
          ...(result.malformedPages?.length ? { malformedPages: result.malformedPages } : {}),
          ...(result.protocolErrors.length ? { protocolErrors: result.protocolErrors } : {}),
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
