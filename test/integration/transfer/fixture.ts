import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type Db } from '../../../electron/storage/index';
import { TransferProgressStore } from '../../../electron/transfer/index';
import { makeTempDir } from '../../helpers/temp-dir';

/**
 * A small BagIt 1.0 package like the packager writes: masters, access copies, metadata, a
 * SHA-256 payload manifest and a tag manifest. Sizes are in bytes; content is random.
 */
export function makeBag(
  parent: string,
  name: string,
  masters: number[],
  access: number[] = [20_000],
): string {
  const bag = path.join(parent, name);
  const payload: [string, Buffer][] = [];
  masters.forEach((size, i) =>
    payload.push([`data/masters/page-${String(i + 1).padStart(4, '0')}.tif`, randomBytes(size)]),
  );
  access.forEach((size, i) =>
    payload.push([`data/access/page-${String(i + 1).padStart(4, '0')}.jpg`, randomBytes(size)]),
  );
  payload.push(['data/metadata/premis.xml', Buffer.from('<premis/>\n')]);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  for (const [rel, bytes] of payload) {
    mkdirSync(path.dirname(path.join(bag, rel)), { recursive: true });
    writeFileSync(path.join(bag, rel), bytes);
  }
  const total = payload.reduce((s, [, b]) => s + b.length, 0);
  const tags: [string, Buffer][] = [
    ['bagit.txt', Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n')],
    ['bag-info.txt', Buffer.from(`Payload-Oxum: ${total}.${payload.length}\n`)],
    ['manifest-sha256.txt', Buffer.from(payload.map(([rel, b]) => `${sha(b)}  ${rel}\n`).join(''))],
  ];
  for (const [rel, bytes] of tags) writeFileSync(path.join(bag, rel), bytes);
  writeFileSync(
    path.join(bag, 'tagmanifest-sha256.txt'),
    tags.map(([rel, b]) => `${sha(b)}  ${rel}\n`).join(''),
  );
  return bag;
}

/** Every file of a folder, relative path → SHA-256. */
export function folderDigest(dir: string, rels: string[]): Record<string, string> {
  return Object.fromEntries(
    rels.map((r) => [
      r,
      createHash('sha256')
        .update(readFileSync(path.join(dir, r)))
        .digest('hex'),
    ]),
  );
}

export function openStore(file: string): { store: TransferProgressStore; db: Db } {
  const db = openDatabase(file);
  return { store: new TransferProgressStore(db), db };
}

/**
 * A temporary folder with a transfer progress store in it, made afresh before each test of the
 * calling suite and removed after it. Read the fields inside tests, not when the suite is defined.
 */
export function freshStoreEachTest(prefix: string): { dir: string; store: TransferProgressStore } {
  const current = {} as { dir: string; store: TransferProgressStore };
  let cleanup = () => {};
  beforeEach(() => {
    const dir = makeTempDir(prefix);
    const opened = openStore(path.join(dir.path, 'quire.db'));
    current.dir = dir.path;
    current.store = opened.store;
    cleanup = () => {
      opened.db.close();
      dir.cleanup();
    };
  });
  afterEach(() => cleanup());
  return current;
}

export interface RecordedEvent {
  type: string;
  outcome: string;
  detail: string;
  object: string;
}

export function recorder(): { events: RecordedEvent[]; record(e: RecordedEvent): void } {
  const events: RecordedEvent[] = [];
  return { events, record: (e) => void events.push(e) };
}
