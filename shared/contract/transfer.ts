import { z } from 'zod';
import { command, event } from './define';

/** `file:///…`, `sftp://user@host:port/…` or `s3://bucket/prefix?endpoint=…`: never a password. */
const DestinationUrl = z
  .string()
  .trim()
  .min(8)
  .max(500)
  .regex(/^(file|sftp|s3):\/\//, 'a destination is file:///…, sftp://user@host/… or s3://bucket/…')
  .refine((u) => !/^[a-z0-9]+:\/\/[^/@]*:[^/@]*@/i.test(u), 'a destination URL may not carry a password');

/** `50M`, or a schedule: `20M@08:00-18:00,unlimited`. */
const RateText = z
  .string()
  .trim()
  .max(200)
  .regex(/^[0-9A-Za-z.@:,\- ]*$/, 'a rate like 50M, or a schedule like 20M@08:00-18:00,unlimited');

/** A repository destination as a supervisor configures it in Settings → Storage. */
export const DestinationConfig = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, 'letters, digits, dot, dash, underscore'),
    url: DestinationUrl,
    /** Empty is unlimited. */
    rate: RateText.default(''),
    verify: z.enum(['all', 'sample']).default('all'),
    /** Send every newly packaged batch here automatically (otherwise on demand only). */
    automatic: z.boolean().default(false),
    /** Whether a secret (SSH key, S3 keys) is stored for it; the secret itself never leaves main. */
    hasCredential: z.boolean().default(false),
  })
  .strict();
export type DestinationConfig = z.infer<typeof DestinationConfig>;

export const TransferStatus = z.object({
  batchId: z.string(),
  destination: z.string(),
  state: z.enum(['waiting', 'sending', 'verifying', 'complete', 'failed']),
  bytesTotal: z.number().int().nonnegative(),
  bytesSent: z.number().int().nonnegative(),
  bytesSkipped: z.number().int().nonnegative(),
  /** Bytes per second over the last seconds. */
  rate: z.number().nonnegative(),
  /** Null when unknown (nothing sent yet). */
  secondsLeft: z.number().nonnegative().nullable(),
  error: z.string().nullable(),
});
export type TransferStatus = z.infer<typeof TransferStatus>;

/**
 * How long the station keeps its own copy of a batch (staging and package) once the package is
 * verified at every destination it was sent to: always, some days after the last verification,
 * or at once. Nothing is pruned before verification, whatever this says.
 */
export const RetentionPolicy = z.discriminatedUnion('keep', [
  z.object({ keep: z.literal('always') }).strict(),
  z.object({ keep: z.literal('days'), days: z.number().int().min(1).max(3650) }).strict(),
  z.object({ keep: z.literal('until-verified') }).strict(),
]);
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

/** A server's host key as pinned on first connection (`[host]:port`, `SHA256:…` as ssh-keygen -lf prints). */
export const PinnedHostKey = z.object({
  host: z.string(),
  algorithm: z.string(),
  sha256: z.string(),
  pinnedAt: z.string(),
});
export type PinnedHostKey = z.infer<typeof PinnedHostKey>;

const SecretInput = z
  .object({
    /** An SSH private key in OpenSSH or PEM text. */
    privateKey: z.string().max(20_000).optional(),
    passphrase: z.string().max(500).optional(),
    accessKeyId: z.string().max(200).optional(),
    secretAccessKey: z.string().max(500).optional(),
  })
  .strict();

export const transferCommands = {
  'transfer.destinations': command({
    input: z.object({}).strict(),
    output: z.array(DestinationConfig),
    access: 'operator',
    summary: 'The configured repository destinations (no secrets).',
  }),
  'transfer.saveDestination': command({
    input: z.object({ destination: DestinationConfig, secret: SecretInput.optional() }).strict(),
    output: z.array(DestinationConfig),
    access: 'supervisor',
    summary: 'Adds or changes a destination; a secret given is stored encrypted, never returned.',
  }),
  'transfer.removeDestination': command({
    input: z.object({ name: z.string().max(60) }).strict(),
    output: z.array(DestinationConfig),
    access: 'supervisor',
    summary: 'Removes a destination and its stored secret (transfers already made stay recorded).',
  }),
  'transfer.start': command({
    input: z.object({ batchId: z.string().max(64), destination: z.string().max(60) }).strict(),
    output: z.object({ jobId: z.string() }),
    access: 'operator',
    summary: 'Queues the transfer of a packaged batch to a destination (on the io queue).',
  }),
  'transfer.retention': command({
    input: z.object({}).strict(),
    output: RetentionPolicy,
    access: 'operator',
    summary: 'How long staging copies are kept after verified transfer.',
  }),
  'transfer.setRetention': command({
    input: z.object({ retention: RetentionPolicy }).strict(),
    output: RetentionPolicy,
    access: 'supervisor',
    summary: 'Sets how long staging copies are kept after verified transfer (supervisors).',
  }),
  'transfer.hostKeys': command({
    input: z.object({}).strict(),
    output: z.array(PinnedHostKey),
    access: 'operator',
    summary: 'SFTP servers host keys pinned on first connection.',
  }),
  'transfer.forgetHostKey': command({
    input: z.object({ host: z.string().max(300) }).strict(),
    output: z.array(PinnedHostKey),
    access: 'supervisor',
    summary: 'Forgets a pinned host key (a server really re-keyed): the next connection pins anew.',
  }),
  'transfer.status': command({
    input: z.object({}).strict(),
    output: z.array(TransferStatus),
    access: 'operator',
    summary: 'Transfers in progress and recently finished.',
  }),
} as const;

export const transferEvents = {
  'transfer.progress': event({
    payload: TransferStatus,
    coalesceKey: (s) => `${s.batchId}\n${s.destination}`,
  }),
} as const;
