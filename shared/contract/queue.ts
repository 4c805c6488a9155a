import { z } from 'zod';
import { command, event } from './define';

export const JobState = z.enum([
  'waiting',
  'delayed',
  'active',
  'completed',
  'retrying',
  'quarantined',
  'cancelled',
]);

export const JobSummary = z.object({
  id: z.string(),
  queue: z.string(),
  type: z.string(),
  state: JobState,
  priority: z.number().int(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  batchId: z.string().nullable(),
  workflowId: z.string().nullable(),
  lastError: z.string().nullable(),
  availableAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const JobDetail = JobSummary.extend({
  payload: z.unknown(),
  attemptsHistory: z.array(
    z.object({
      attempt: z.number().int(),
      worker: z.string().nullable(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      outcome: z.string(),
      errorClass: z.string().nullable(),
      error: z.string().nullable(),
      stack: z.string().nullable(),
    }),
  ),
});

const ById = z.object({ id: z.string().uuid() }).strict();
const QueueName = z.string().regex(/^[A-Za-z0-9:._-]{1,80}$/);

export const queueCommands = {
  'queue.list': command({
    input: z
      .object({
        state: JobState.optional(),
        queue: QueueName.optional(),
        type: z.string().max(80).optional(),
        batchId: z.string().max(64).optional(),
        text: z.string().max(120).optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ total: z.number().int(), items: z.array(JobSummary) }),
    access: 'operator',
    summary: 'Jobs filtered by state, queue, type, batch and payload text.',
  }),
  'queue.show': command({
    input: ById,
    output: JobDetail,
    access: 'operator',
    summary: 'One job with its attempt history.',
  }),
  'queue.counts': command({
    input: z.object({}).strict(),
    output: z.record(z.string(), z.record(z.string(), z.number().int())),
    access: 'operator',
    summary: 'Jobs by queue and state.',
  }),
  'queue.metrics': command({
    input: z.object({}).strict(),
    output: z.object({
      lastFiveMinutes: z.array(
        z.object({ queue: z.string(), completed: z.number().int(), meanLatencyMs: z.number().nullable() }),
      ),
      lastHour: z.array(
        z.object({ queue: z.string(), completed: z.number().int(), meanLatencyMs: z.number().nullable() }),
      ),
    }),
    access: 'operator',
    summary: 'Throughput and latency per queue over the last 5 minutes and hour.',
  }),
  'queue.retry': command({
    input: ById,
    output: JobSummary,
    access: 'operator',
    summary:
      'Runs a quarantined, cancelled or waiting-to-retry job again now; refused for a finished or quarantined batch.',
  }),
  'queue.retryAllFailed': command({
    input: z.object({ queue: QueueName }).strict(),
    output: z.array(JobSummary),
    access: 'operator',
    summary: 'Runs every quarantined job of a queue again, except those of finished or quarantined batches.',
  }),
  'queue.cancel': command({
    input: ById,
    output: JobSummary,
    access: 'operator',
    summary: 'Cancels a job that has not started.',
  }),
  'queue.promote': command({
    input: ById,
    output: JobSummary,
    access: 'operator',
    summary: 'Runs a delayed job now.',
  }),
  'queue.remove': command({
    input: ById,
    output: z.object({ removed: z.string() }),
    access: 'supervisor',
    summary: 'Deletes a finished job and its history.',
  }),
  'queue.pause': command({
    input: z.object({ queue: QueueName }).strict(),
    output: z.object({ paused: z.array(z.string()) }),
    access: 'supervisor',
    summary: 'Stops leasing from a queue.',
  }),
  'queue.resume': command({
    input: z.object({ queue: QueueName }).strict(),
    output: z.object({ paused: z.array(z.string()) }),
    access: 'supervisor',
    summary: 'Resumes a paused queue.',
  }),
};

export const queueEvents = {
  'job.updated': event({ payload: JobSummary, coalesceKey: (j) => j.id }),
};
