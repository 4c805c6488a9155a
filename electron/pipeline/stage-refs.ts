import { z } from 'zod';
import type { BatchStage } from '../../shared/contract/index';

/** A stage job's payload: the batch, and in a lab the station that holds its records. */
export const BatchRef = z.object({ batchId: z.string(), station: z.string().optional() });
export type BatchRef = z.infer<typeof BatchRef>;

/** A capture job's payload: the scanner, and for a supervisor's recapture the chosen pages. */
export const CaptureRef = BatchRef.extend({
  device: z.string(),
  pages: z.array(z.number().int().positive()).optional(),
});

/** The working stages in their order: release continues after one, requeue runs it again. */
export const STAGE_ORDER: readonly BatchStage[] = ['capturing', 'qc', 'derivatives', 'packaging'];
