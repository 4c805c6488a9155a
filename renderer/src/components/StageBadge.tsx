import type { BatchStage } from '../../../shared/contract/index';

const LABELS: Record<BatchStage, string> = {
  validating: 'Validating',
  capturing: 'Capturing',
  qc: 'Image QC',
  derivatives: 'Derivatives',
  packaging: 'Packaging',
  completed: 'Completed',
  quarantined: 'Quarantined',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

const TONE: Record<BatchStage, 'ok' | 'busy' | 'bad' | 'muted'> = {
  validating: 'busy',
  capturing: 'busy',
  qc: 'busy',
  derivatives: 'busy',
  packaging: 'busy',
  completed: 'ok',
  quarantined: 'bad',
  rejected: 'muted',
  cancelled: 'muted',
};

/** Text first; colour only reinforces it. */
export function StageBadge({ stage }: { stage: BatchStage }) {
  return <span className={`badge badge--${TONE[stage]}`}>{LABELS[stage]}</span>;
}

export const STAGE_LABELS = LABELS;
