import type { LabState } from '../../shared/contract/index';
import type { AuditModule } from '../audit/module';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import type { AccountStore } from './account-store';
import type { BatchRecords } from './batch-records';
import type { BatchChangeReader } from './batch-snapshot';
import type { CatalogRecords } from './catalog-records';
import type { SettingsRecords } from './settings-records';
import { LabAuditOutbox } from './lab-audit-outbox';
import { LabBatchMirror } from './lab-batch-mirror';
import { LAB_BATCHES_CHANNEL } from './postgres/batch-mirror';
import { LabAccountStore } from './postgres/lab-account-store';
import { PostgresBatchRecords } from './postgres/batch-records';
import { PostgresCatalogRecords } from './postgres/catalog-records';
import { LabChannel } from './postgres/lab-channel';
import { LabSettingsRecords } from './postgres/lab-settings-records';
import { openLabPool } from './postgres/lab-database';
import { migrateLab } from './postgres/lab-migrations';

type DatabaseState = NonNullable<LabState['database']>;

/** What a station carries to the lab's records and what it hears of other stations' batches. */
export interface LabLink {
  station: string;
  /** This station's own batch changes, in order (its SQLite). */
  changes: BatchChangeReader;
  audit: Pick<AuditModule, 'since'>;
  events: EventBus;
  /** Whether this station holds the batch's own records (its changes are announced locally). */
  holds: (batchId: string) => boolean;
}

/**
 * The lab's records on PostgreSQL, as one station sees them: the lab's accounts, every
 * station's batches (read by the console), and the links that carry this station's own records
 * there. The station's SQLite stays the first record of its batches and audit log, written
 * whether or not the lab answers; the links send what the lab lacks, in order, once.
 */
export interface LabRecords {
  readonly accounts: AccountStore;
  readonly batches: BatchRecords;
  /** The lab's one catalog: a sync at any station fills it for every station. */
  readonly catalog: CatalogRecords;
  /** The lab-wide settings and scan profiles (per-station ones stay in the station's SQLite). */
  readonly settings: SettingsRecords;
  /** Starts carrying this station's batches and audit log, and announcing other stations' changes. */
  start(link: LabLink): Promise<void>;
  state(): DatabaseState;
  close(): Promise<void>;
}

/** Opens the lab database and applies its migrations; refuses, saying why, when it does not answer. */
export async function openLabRecords(
  url: string,
  options: { station: string; clock: Clock; logger: Logger; onState: (state: DatabaseState) => void },
): Promise<LabRecords> {
  const { logger } = options;
  const pool = openLabPool(url, {
    onError: (error) => logger.warn({ err: error.message }, 'lab database connection lost'),
  });
  try {
    await migrateLab(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    throw code ? new Error(`the lab database at ${new URL(url).host} did not answer (${code})`) : error;
  }
  const accounts = await new LabAccountStore(pool, { logger }).start();
  const batches = new PostgresBatchRecords(pool, options.station, options.clock);
  const catalog = new PostgresCatalogRecords(pool, options.station);
  const settings = await new LabSettingsRecords(pool, options.station, { logger }).start();
  let mirror: LabBatchMirror | null = null;
  let outbox: LabAuditOutbox | null = null;
  let channel: LabChannel | null = null;
  let announcer: RemoteBatchAnnouncer | null = null;
  let last: DatabaseState = { state: 'behind', detail: 'not started' };
  const update = () => {
    const next = combinedState(mirror, outbox);
    if (next.state === last.state && next.detail === last.detail) return;
    last = next;
    options.onState(next);
  };
  return {
    accounts,
    batches,
    catalog,
    settings,
    async start(link) {
      mirror = new LabBatchMirror({
        station: link.station,
        changes: link.changes,
        pool,
        events: link.events,
        logger,
      });
      outbox = new LabAuditOutbox({
        station: link.station,
        audit: link.audit,
        pool,
        events: link.events,
        logger,
      });
      mirror.on('state', update);
      outbox.on('state', update);
      // Announcements missed while the link was down: the consoles reload what they show.
      announcer = new RemoteBatchAnnouncer(batches, link, logger, () => options.onState(last));
      channel = new LabChannel(pool, LAB_BATCHES_CHANNEL, {
        logger,
        onMessage: (id) => id && announcer!.changed(id),
        onReconnect: () => announcer!.missed(),
      });
      await channel.start();
      mirror.start();
      outbox.start();
      update();
    },
    state: () => last,
    async close() {
      announcer?.close();
      // A short-lived station (quire batch run) may never start again: what it changed last
      // goes to the lab now if the lab answers within a few seconds (else at its next start).
      const sent = Promise.all([mirror?.drained(), outbox?.drained()]);
      const waited = await Promise.race([
        sent.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
      ]).catch(() => false);
      if (!waited)
        logger.warn('the lab database did not take this station’s last changes; they go at its next start');
      await channel?.close();
      await mirror?.close();
      await outbox?.stop();
      await accounts.close();
      await settings.close();
      await pool.end().catch(() => {});
    },
  };
}

function combinedState(mirror: LabBatchMirror | null, outbox: LabAuditOutbox | null): DatabaseState {
  if (!mirror || !outbox) return { state: 'behind', detail: 'starting' };
  if (outbox.state === 'diverged')
    return {
      state: 'refused',
      detail: `the lab refused this station's audit log: ${outbox.lastError ?? ''}`,
    };
  if (mirror.state === 'unreachable' || outbox.state === 'unreachable')
    return {
      state: 'unreachable',
      detail: `lab database unreachable (${mirror.lastError ?? outbox.lastError ?? 'no answer'}); capture goes on, decisions on other stations' batches wait`,
    };
  if (mirror.state === 'behind' || outbox.state === 'behind')
    return { state: 'behind', detail: "sending this station's records to the lab" };
  return { state: 'connected', detail: 'lab database connected' };
}

/**
 * Turns the lab's announcements of changed batches into the console's events, for batches
 * of other stations (this station announces its own as they change). Announcements that
 * arrive together are read in one go, at most every 100 ms.
 */
class RemoteBatchAnnouncer {
  private pending = new Set<string>();
  /** The stage each other station's batch was last announced in: quarantine changes are told apart. */
  private stages = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly batches: BatchRecords,
    private readonly link: LabLink,
    private readonly logger: Logger,
    private readonly onMissed: () => void,
  ) {}

  changed(batchId: string): void {
    if (this.closed || this.link.holds(batchId)) return;
    this.pending.add(batchId);
    this.timer ??= setTimeout(() => void this.announce(), 100);
  }

  /**
   * Announcements were missed while the link was down: the newest batches and the quarantine
   * are announced again (the consoles also reload their views on the lab's state change).
   */
  missed(): void {
    this.onMissed();
    void (async () => {
      try {
        const [newest, quarantined] = await Promise.all([
          this.batches.list({ offset: 0, limit: 200 }),
          this.batches.quarantined(),
        ]);
        for (const batch of [...newest.items, ...quarantined]) this.changed(batch.id);
      } catch (error) {
        this.logger.warn(
          { err: (error as Error).message },
          'could not catch up with the lab after an outage',
        );
      }
    })();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async announce(): Promise<void> {
    this.timer = null;
    const ids = [...this.pending];
    this.pending.clear();
    for (const id of ids) {
      try {
        const summary = await this.batches.summary(id);
        if (!summary || this.closed) continue;
        this.link.events.emit('batch.updated', summary);
        const before = this.stages.get(id);
        this.stages.set(id, summary.stage);
        if ((before === 'quarantined') !== (summary.stage === 'quarantined'))
          this.link.events.emit('quarantine.changed', {
            batchId: id,
            quarantined: summary.stage === 'quarantined',
            reason: summary.stage === 'quarantined' ? summary.lastError : null,
          });
      } catch (error) {
        this.logger.warn(
          { batchId: id, err: (error as Error).message },
          'could not read a changed batch from the lab',
        );
      }
    }
  }
}
