import { z } from 'zod';
import { SAFE_ID_PATTERN } from '../../../shared/domain/safe-id';

/**
 * ScanLink/1 as ../shared/scanner-protocol.md defines it: markers, opcodes, event kinds and the
 * JSON payload schemas. Everything on the wire is big-endian.
 */
export const COMMAND_MARKER = 0x01;
export const EVENT_MARKER = 0x02;
export const COMMAND_HEADER_BYTES = 4; // marker, opcode, uint16 length
export const EVENT_HEADER_BYTES = 6; // marker, kind, uint32 length
/** Rule 9: the station refuses (closes) on a declared length above this, without allocating it. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Rule 3: a DATA frame carries at most 1 MiB. */
export const MAX_DATA_FRAME_BYTES = 1024 * 1024;
export const DEFAULT_PORT = 9100;

export const Opcode = { HELLO: 0x02, STATUS: 0x05, CAPTURE: 0x10, ABORT: 0x11, RESET: 0x12 } as const;
export type OpcodeName = keyof typeof Opcode;

export const EventKind = {
  HELLO: 0x48,
  STATUS: 0x53,
  PAGE_BEGIN: 0x50,
  DATA: 0x44,
  PAGE_END: 0x45,
  JOB_END: 0x4a,
  FAULT: 0x21,
} as const;
export type EventKindName = keyof typeof EventKind;

export const ScanLinkId = z.string().regex(SAFE_ID_PATTERN, 'ids are 1–64 characters of A–Z a–z 0–9 . _ -');
export const ScannerState = z.enum(['IDLE', 'FEEDING', 'CAPTURING', 'FLUSHING', 'READY', 'JAMMED', 'ERROR']);
export type ScannerState = z.infer<typeof ScannerState>;
export const AdfState = z.enum(['LOADED', 'EMPTY', 'JAM']);
export const ScanMode = z.enum(['color', 'gray', 'bw']);
export type ScanMode = z.infer<typeof ScanMode>;
export const BitDepth = z.union([z.literal(1), z.literal(8), z.literal(16)]);
export type BitDepth = z.infer<typeof BitDepth>;
export const FaultCode = z.enum([
  'ADF_JAM',
  'MISFEED',
  'DOUBLE_FEED',
  'COVER_OPEN',
  'BUSY',
  'BAD_COMMAND',
  'BUFFER_OVERRUN',
]);
export type FaultCode = z.infer<typeof FaultCode>;
/** Faults after which the scanner accepts nothing but STATUS, HELLO and RESET (rule 5). */
export const FEEDER_FAULTS: ReadonlySet<FaultCode> = new Set([
  'ADF_JAM',
  'MISFEED',
  'DOUBLE_FEED',
  'COVER_OPEN',
]);

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/i);
const Count = z.number().int().nonnegative();

// Event payloads are parsed loosely (extra fields from newer firmware are ignored) but every
// field the station relies on is checked.
export const HelloEvent = z.object({
  vendor: z.string(),
  model: z.string(),
  serial: z.string(),
  firmware: z.string(),
  protocol: z.literal(1),
  maxDpi: z.number().int().positive(),
  modes: z.array(z.string()),
  bufferBytes: Count,
});
export type HelloEvent = z.infer<typeof HelloEvent>;

export const StatusEvent = z.object({
  state: ScannerState,
  adf: AdfState,
  buffered: Count,
  job: ScanLinkId.nullable(),
  seq: z.number().int(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

export const PageBeginEvent = z.object({
  job: ScanLinkId,
  page: z.number().int().positive(),
  bytes: Count,
  sha256: Sha256Hex,
  format: z.literal('tiff'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  dpi: z.number().int().positive(),
  mode: ScanMode,
  bitDepth: BitDepth,
});
export type PageBeginEvent = z.infer<typeof PageBeginEvent>;

export const PageEndEvent = z.object({ job: ScanLinkId, page: z.number().int().positive() });
export const JobEndEvent = z.object({
  job: ScanLinkId,
  pages: Count,
  status: z.enum(['complete', 'aborted', 'jammed']),
});
export type JobEndEvent = z.infer<typeof JobEndEvent>;
export const FaultEvent = z.object({
  code: FaultCode,
  job: ScanLinkId.nullable(),
  page: z.number().int().nullable(),
  message: z.string(),
});
export type FaultEvent = z.infer<typeof FaultEvent>;

// Command payloads: what the station sends and what the simulator accepts.
export const HelloCommand = z.object({ client: z.string(), protocol: z.literal(1) });
export const CaptureCommand = z.object({
  job: ScanLinkId,
  pages: z.number().int().min(1).nullable(),
  dpi: z.number().int().positive(),
  mode: ScanMode,
  bitDepth: BitDepth,
});
export type CaptureCommand = z.infer<typeof CaptureCommand>;
export const AbortCommand = z.object({ job: ScanLinkId });
