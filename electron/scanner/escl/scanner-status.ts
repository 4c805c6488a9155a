import { descendants, parseRoot, text, textAt, intAt } from './xml';

/** The feeder as ScannerStatus reports it, reduced to what Quire acts on. */
export type AdfCondition = 'loaded' | 'empty' | 'jam' | 'open' | 'processing' | 'unknown';

export interface EsclJobInfo {
  /** The job's path as the device reports it (resolved against the base URL by the caller). */
  uri: string;
  state: string;
  reasons: string[];
  imagesCompleted: number | null;
  imagesToTransfer: number | null;
}

export interface EsclStatus {
  /** pwg:State: Idle, Processing, Testing, Stopped, Down. */
  state: string;
  adf: AdfCondition | null;
  /** The raw AdfState value, for messages. */
  adfState: string | null;
  jobs: EsclJobInfo[];
}

/**
 * AdfState values, HP's misspelt `ScannedAdf…` forms included. Any state that stops the paper
 * and needs hands on the device (jam, mispick, multipick, hatch or door open) counts as a jam:
 * the operator clears it and the batch resumes.
 */
export function adfCondition(value: string): AdfCondition {
  const name = value.replace(/^Scann(?:er|ed)Adf/, '');
  switch (name) {
    case 'Loaded':
      return 'loaded';
    case 'Empty':
      return 'empty';
    case 'Processing':
      return 'processing';
    case 'Jam':
    case 'Mispick':
    case 'MultipickDetected':
    case 'DuplexPageTooShort':
    case 'DuplexPageTooLong':
    case 'InputTrayFailed':
    case 'InputTrayOverloaded':
      return 'jam';
    case 'HatchOpen':
    case 'DoorOpen':
      return 'open';
    default:
      return 'unknown';
  }
}

export function parseStatus(xml: string): EsclStatus {
  const root = parseRoot(xml, 'ScannerStatus');
  const adfState = textAt(root, 'AdfState');
  return {
    state: textAt(root, 'State') ?? 'Idle',
    adf: adfState === null ? null : adfCondition(adfState),
    adfState,
    jobs: descendants(root, 'JobInfo').map((job) => ({
      uri: textAt(job, 'JobUri') ?? '',
      state: textAt(job, 'JobState') ?? '',
      reasons: descendants(job, 'JobStateReason')
        .map((r) => text(r))
        .filter((r): r is string => r !== null),
      imagesCompleted: intAt(job, 'ImagesCompleted'),
      imagesToTransfer: intAt(job, 'ImagesToTransfer'),
    })),
  };
}

/** The job whose URI ends with this path (devices report it absolute, relative or with a bogus host). */
export function findJob(status: EsclStatus, jobPath: string): EsclJobInfo | null {
  const id = jobPath.replace(/\/+$/, '').split('/').pop() ?? jobPath;
  return status.jobs.find((j) => j.uri.replace(/\/+$/, '').split('/').pop() === id) ?? null;
}
