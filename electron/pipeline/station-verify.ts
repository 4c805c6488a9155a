import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { BatchStage } from '../../shared/contract/index';
import type { AuditEvent } from '../../shared/contract/index';
import type { AuditModule } from '../audit/module';
import { PRUNE_DETAIL_PREFIX } from '../transfer/index';
import type { DataDir } from '../storage/index';
import type { BatchStore } from './batches/batch-store';
import { masterExtension, masterObject, stagedMasters } from './staged-masters';
import { listPackageFiles, manifestProblems } from '../transfer/index';
import { sha256File } from './packaging/hashing';

/** One thing that is not as it must be; `code` is stable for scripts. */
export interface Finding {
  code: string;
  batch: string | null;
  page: number | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  batches: number;
  pages: number;
  findings: Finding[];
}

export interface VerifyDeps {
  layout: DataDir;
  store: BatchStore;
  audit: AuditModule;
}

export interface VerifyOptions {
  /** Only this batch (and nothing station-wide but its own leftovers). */
  batchId?: string;
  /** Re-hash every master against its record (slow: reads every byte). */
  deep?: boolean;
  /** Judge this batch as if it were completed: the check a package passes before it is. */
  asCompleted?: boolean;
}

/** A batch whose capture may be mid-flight: its staging may hold `.part` files and a master not yet recorded. */
const IN_FLIGHT: ReadonlySet<BatchStage> = new Set(['validating', 'capturing']);
const SUPERSEDED_TO = /^moved to (.+) for a recapture$/;

/**
 * The station-wide consistency check behind `quire verify`, run at start and before a batch is
 * marked completed. Every captured page (a PREMIS capture event) is in exactly one place: its
 * batch's staging (a page record) or superseded/ (a "filename change" event); every completed
 * package's masters are numbered 1..N with no gap and match the records and the package's
 * PREMIS; no master is orphaned; no `.part` or `.building` is left over; the audit chain holds.
 */
export async function verifyStation(deps: VerifyDeps, options: VerifyOptions = {}): Promise<VerifyReport> {
  const findings: Finding[] = [];
  let pages = 0;
  const ids = options.batchId ? [options.batchId] : allBatchIds(deps.store);
  for (const id of ids) {
    const summary = deps.store.summary(id);
    if (!summary) {
      findings.push({ code: 'BATCH_UNKNOWN', batch: id, page: null, message: `no batch ${id}` });
      continue;
    }
    const completed = summary.stage === 'completed' || (options.asCompleted ?? false);
    pages += await verifyBatch(deps, id, summary.stage, summary.pagesExpected, completed, options, findings);
  }
  if (!options.batchId) {
    findings.push(...(await leftovers(deps, ids)));
    const chain = deps.audit.verify();
    if (!chain.ok)
      findings.push({
        code: 'AUDIT_CHAIN_BROKEN',
        batch: null,
        page: null,
        message: `the audit chain breaks at event ${chain.firstBrokenSeq}: ${chain.reason}`,
      });
  }
  return { ok: findings.length === 0, batches: ids.length, pages, findings };
}

function allBatchIds(store: BatchStore): string[] {
  const ids: string[] = [];
  for (let offset = 0; ; offset += 500) {
    const { items } = store.list({ offset, limit: 500 });
    ids.push(...items.map((b) => b.id));
    if (items.length < 500) return ids;
  }
}

async function verifyBatch(
  deps: VerifyDeps,
  batch: string,
  stage: BatchStage,
  expected: number | null,
  completed: boolean,
  options: VerifyOptions,
  findings: Finding[],
): Promise<number> {
  const find = (code: string, page: number | null, message: string) =>
    findings.push({ code, batch, page, message });
  const rows = deps.store.pages(batch);
  const byPage = new Map(rows.map((r) => [r.page, r]));
  const events = deps.audit.forObject(batch);
  // A completed batch's own copy may be gone by retention, after verified replication only.
  const pruned = completed && prunedAfterReplication(batch, events, find);
  for (const row of rows) {
    const stat = await fs.stat(row.masterPath).catch(() => null);
    if (!stat) {
      if (!pruned)
        find('MASTER_MISSING', row.page, `page ${row.page} is recorded but ${row.masterPath} is gone`);
    } else if (stat.size !== row.bytes)
      find('MASTER_CHANGED', row.page, `page ${row.page} has ${stat.size} bytes; ${row.bytes} were captured`);
    else if (options.deep && (await sha256File(row.masterPath)) !== row.sha256)
      find('MASTER_CHANGED', row.page, `page ${row.page} no longer has the SHA-256 it was captured with`);
  }
  if (!IN_FLIGHT.has(stage))
    for (const [page, file] of await stagedMasters(deps.layout.batchMasters(batch)))
      if (!byPage.has(page)) find('ORPHANED_MASTER', page, `${file} is in staging but in no record`);

  // Every capture event is accounted for: by a record, or by a later move to superseded/.
  const tally = new Map<string, { captured: number; superseded: number }>();
  for (const event of events) {
    if (event.type !== 'capture' && event.type !== 'filename change') continue;
    // A capture event of the batch itself (a jam, its reset) is its story, not a page's.
    if (event.object === batch) continue;
    const count = tally.get(event.object) ?? { captured: 0, superseded: 0 };
    if (event.type === 'capture') count.captured += 1;
    else {
      count.superseded += 1;
      const moved = SUPERSEDED_TO.exec(event.detail)?.[1];
      if (moved && !existsSync(path.join(deps.layout.root, moved)))
        find('SUPERSEDED_MISSING', null, `${event.object} was moved to ${moved}, which is gone`);
    }
    tally.set(event.object, count);
  }
  for (const row of rows)
    if (!tally.has(masterObject(batch, row.page, row.masterPath)))
      find('PAGE_WITHOUT_CAPTURE_EVENT', row.page, `page ${row.page} has no PREMIS capture event`);
  for (const [object, { captured, superseded }] of tally) {
    const page = Number(/page-(\d+)\.(?:tif|png|jpg|pdf)$/.exec(object)?.[1] ?? 0);
    const accounted = superseded + (byPage.has(page) ? 1 : 0);
    if (captured !== accounted)
      find(
        captured > accounted ? 'CAPTURE_UNACCOUNTED' : 'PAGE_WITHOUT_CAPTURE_EVENT',
        page,
        `${object}: captured ${captured} time(s), ${accounted} accounted for (record or superseded)`,
      );
  }
  if (completed) await verifyPackage(deps, batch, rows, expected, options, pruned, find);
  return rows.length;
}

/**
 * Whether the batch's local copy was pruned (a PREMIS deletion by retention) after its package
 * was verified at a destination (a successful replication before it). A deletion with no such
 * replication before it is a finding, and the copy is judged as if never pruned: every page
 * gone is then a lost page.
 */
function prunedAfterReplication(
  batch: string,
  events: AuditEvent[],
  find: (code: string, page: number | null, message: string) => void,
): boolean {
  const deletion = events.find(
    (e) =>
      e.type === 'deletion' &&
      e.object === batch &&
      e.outcome === 'success' &&
      e.detail.startsWith(PRUNE_DETAIL_PREFIX),
  );
  if (!deletion) return false;
  const replicated = events.some(
    (e) => e.type === 'replication' && e.object === batch && e.outcome === 'success' && e.seq < deletion.seq,
  );
  if (!replicated)
    find(
      'PRUNED_WITHOUT_REPLICATION',
      null,
      `the local copy was pruned (event ${deletion.seq}) but no verified replication precedes it`,
    );
  return replicated;
}

async function verifyPackage(
  deps: VerifyDeps,
  batch: string,
  rows: ReturnType<BatchStore['pages']>,
  expected: number | null,
  options: VerifyOptions,
  pruned: boolean,
  find: (code: string, page: number | null, message: string) => void,
): Promise<void> {
  const numbers = rows.map((r) => r.page);
  if (numbers.some((n, i) => n !== i + 1))
    find('PAGES_NOT_CONTIGUOUS', null, `pages are ${numbers.join(', ')}; they must run 1..${rows.length}`);
  if (expected !== null && rows.length !== expected)
    find('PAGE_COUNT_MISMATCH', null, `${rows.length} page(s) recorded, ${expected} expected`);
  // Read until the feeder was empty: the batch has as many pages as the highest it reached.
  const extent = deps.store.pageExtent(batch);
  if (expected === null && extent > rows.length)
    find(
      'PAGES_NOT_KEPT',
      null,
      `${rows.length} page(s) recorded, but the batch reached page ${extent}: the pages after ${rows.length} arrived and were never kept`,
    );
  // The package verified at its destinations is gone from here (or going): the records remain.
  if (pruned) return;
  const root = deps.layout.batchPackage(batch);
  if (!existsSync(root)) return void find('PACKAGE_MISSING', null, `no package at ${root}`);
  const inPackage = (await fs.readdir(path.join(root, 'data', 'masters')).catch(() => [] as string[])).sort();
  const wanted = rows.map((r) => packagedName(r.page, r.masterPath));
  if (inPackage.join() !== wanted.join())
    find(
      'PACKAGE_MASTERS_MISMATCH',
      null,
      `package masters are [${inPackage.join(', ')}], records say [${wanted.join(', ')}]`,
    );
  // Every file the package's manifests list is there, and every payload file is listed: a
  // missing access copy or ALTO file is found without reading a byte (--deep reads the masters).
  try {
    const problems = await manifestProblems(await listPackageFiles(root));
    for (const problem of problems.slice(0, 20)) find('PACKAGE_INCOMPLETE', null, `${root}: ${problem}`);
  } catch (error) {
    find('PACKAGE_INCOMPLETE', null, (error as Error).message);
  }
  const manifest = await fs.readFile(path.join(root, 'manifest-sha256.txt'), 'utf8').catch(() => '');
  const listed = new Map(
    manifest
      .split('\n')
      .map((line) => /^([0-9a-f]{64})\s+data\/masters\/page-(\d+)\.(?:tif|png|jpg|pdf)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[2]), m[1]!]),
  );
  const premis = await fs.readFile(path.join(root, 'data', 'metadata', 'premis.xml'), 'utf8').catch(() => '');
  for (const row of rows) {
    if (listed.get(row.page) !== row.sha256)
      find(
        'PACKAGE_HASH_MISMATCH',
        row.page,
        `the package's manifest does not list page ${row.page} with its captured SHA-256`,
      );
    if (!premis.includes(row.sha256) || !premis.includes(masterObject(batch, row.page, row.masterPath)))
      find('PREMIS_MISMATCH', row.page, `the package's PREMIS lacks page ${row.page}'s capture or digest`);
    const packaged = path.join(root, 'data', 'masters', packagedName(row.page, row.masterPath));
    if (options.deep && existsSync(packaged) && (await sha256File(packaged)) !== row.sha256)
      find('PACKAGE_MASTER_CHANGED', row.page, `${packaged} no longer has its captured SHA-256`);
  }
}

/** A master's name in the package: its page number and its real format's extension, as staged. */
function packagedName(page: number, masterPath: string): string {
  return `page-${String(page).padStart(4, '0')}${masterExtension(masterPath)}`;
}

/** `.part` files outside captures in flight, `.building` folders, packages of no batch. */
async function leftovers(deps: VerifyDeps, ids: string[]): Promise<Finding[]> {
  const found: Finding[] = [];
  const inFlight = new Set(ids.filter((id) => IN_FLIGHT.has(deps.store.summary(id)!.stage)));
  for (const top of [deps.layout.staging, deps.layout.packages]) {
    const entries = await fs.readdir(top, { withFileTypes: true, recursive: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(entry.parentPath, entry.name);
      const batch = path.relative(top, full).split(path.sep)[0]!;
      if (
        entry.isFile() &&
        entry.name.endsWith('.part') &&
        !(top === deps.layout.staging && inFlight.has(batch))
      )
        found.push({
          code: 'PART_LEFTOVER',
          batch,
          page: null,
          message: `${full} is a leftover of an interrupted write`,
        });
    }
  }
  const known = new Set(ids);
  for (const name of await fs.readdir(deps.layout.packages).catch(() => [] as string[])) {
    if (/^\..+\.building-/.test(name))
      found.push({
        code: 'BUILDING_LEFTOVER',
        batch: null,
        page: null,
        message: `${name} is a package left half-built`,
      });
    else if (!name.startsWith('.') && !known.has(name))
      found.push({
        code: 'ORPHANED_PACKAGE',
        batch: name,
        page: null,
        message: `packages/${name} belongs to no batch`,
      });
  }
  return found;
}
