import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { EventKind } from './protocol';

/**
 * A ScanLink session recording: one JSON line per frame in or out, with a timestamp. DATA
 * frames are summarised by length and the running SHA-256 of the page so far (never stored
 * raw: a trace must not become a second copy of a collection).
 */
export interface TraceLine {
  t: number;
  dir: 'in' | 'out' | 'note';
  type: number;
  json?: unknown;
  dataBytes?: number;
  runningSha256?: string;
  note?: string;
}

export class TraceRecorder {
  private readonly out: WriteStream;
  private pageHash: Hash | null = null;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    this.out = createWriteStream(file, { flags: 'a' });
  }

  frame(dir: 'in' | 'out', type: number, payload: Buffer): void {
    const line: TraceLine = { t: this.now(), dir, type };
    if (dir === 'in' && type === EventKind.PAGE_BEGIN) this.pageHash = createHash('sha256');
    if (dir === 'in' && type === EventKind.DATA) {
      this.pageHash?.update(payload);
      line.dataBytes = payload.length;
      line.runningSha256 = this.pageHash?.copy().digest('hex');
    } else if (payload.length > 0) {
      try {
        line.json = JSON.parse(payload.toString('utf8'));
      } catch {
        line.dataBytes = payload.length;
      }
    }
    this.out.write(JSON.stringify(line) + '\n');
  }

  note(text: string): void {
    this.out.write(
      JSON.stringify({ t: this.now(), dir: 'note', type: 0, note: text } satisfies TraceLine) + '\n',
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}
