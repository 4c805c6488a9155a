import { memo, useEffect, useState } from 'react';
import { BatchStage, type BatchSummary } from '../../../shared/contract/index';
import { Age } from '../components/Age';
import { describeError, FormError } from '../components/FormError';
import { Progress } from '../components/Progress';
import { STAGE_LABELS, StageBadge } from '../components/StageBadge';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { quire } from '../ipc/client';
import {
  batchCountsReceived,
  batchPageReceived,
  batchQueryChanged,
  batchSelected,
  useBatch,
  useBatchCounts,
  useBatchIds,
  useBatchQuery,
  useBatchTotal,
  useCountsStale,
  useSelectedBatchId,
} from '../state/batches';
import { useStuckOn } from '../state/attention';
import { useWaitingPlace } from '../state/devices';
import { BatchDrawer } from './BatchDrawer';
import { FullTextResults } from '../components/FullTextResults';
import { NewBatchForm } from './NewBatchForm';
import { newBatchHandled, useNewBatchDevice } from '../state/ui';
import { ThroughputChart } from '../components/ThroughputChart';
import { TransferProgress } from './TransferProgress';

const PAGE = 500;
const MAX_ROWS = 20_000;

const COLUMNS: Column[] = [
  { key: 'id', label: 'Batch', width: 'minmax(140px, 1.4fr)' },
  { key: 'device', label: 'Device', width: '100px' },
  { key: 'stage', label: 'Stage', width: '230px' },
  { key: 'pages', label: 'Pages', width: 'minmax(150px, 1fr)' },
  { key: 'attempts', label: 'Attempts', width: '90px' },
  { key: 'age', label: 'Age', width: '80px' },
];
/** With the drawer open beside the table: the columns the drawer does not repeat. */
const DRAWER_COLUMNS: Column[] = [
  { key: 'id', label: 'Batch', width: 'minmax(110px, 1fr)' },
  { key: 'stage', label: 'Stage', width: '200px' },
  { key: 'pages', label: 'Pages', width: '130px' },
];
const DRAWER_KEYS = new Set(DRAWER_COLUMNS.map((c) => c.key));
/** Counts by stage are asked for again at most this often while batches move. */
const COUNTS_EVERY_MS = 1000;

/** The stage, or what the batch is waiting for: a person at a jammed scanner, or its turn on the scanner. */
function StageCell({
  batch,
  stuck,
  ahead,
}: {
  batch: BatchSummary;
  stuck: string | null;
  ahead: number | null;
}) {
  if (stuck)
    return (
      <span className="badge badge--bad" title={`${batch.device} ${stuck}`}>
        {stuck === 'is jammed' ? `Jammed, page ${batch.pagesDone + 1}` : `Stopped: ${batch.device} ${stuck}`}
      </span>
    );
  if (waitsForScanner(batch, ahead))
    return (
      <span className="badge badge--busy">
        Waiting for {batch.device} ({ahead} ahead)
      </span>
    );
  return <StageBadge stage={batch.stage} />;
}

const waitsForScanner = (batch: BatchSummary, ahead: number | null): ahead is number =>
  ahead !== null && (batch.stage === 'validating' || batch.stage === 'capturing');

/** The words a row's accessible name uses for where the batch stands. */
function standing(batch: BatchSummary, stuck: string | null, ahead: number | null): string {
  if (stuck) return `${batch.device} ${stuck}`;
  if (waitsForScanner(batch, ahead)) return `waiting for ${batch.device}, ${ahead} ahead`;
  return batch.stage;
}

// Memoised: a scroll re-renders the table, but only rows that come into view need rendering.
const BatchRow = memo(function BatchRow({ id, compact }: { id: string; compact: boolean }) {
  const batch = useBatch(id);
  const stuck = useStuckOn(id, batch?.device);
  const ahead = useWaitingPlace(id, batch?.device);
  if (!batch) return null;
  const show = (key: string) => !compact || DRAWER_KEYS.has(key);
  return (
    <button
      type="button"
      className="vtable__row"
      onClick={() => batchSelected(id)}
      aria-label={`Batch ${id}, ${standing(batch, stuck, ahead)}, ${batch.pagesDone}${batch.pagesExpected ? ` of ${batch.pagesExpected}` : ''} pages, on ${batch.device}${batch.station ? ` at station ${batch.station}` : ''}`}
    >
      <span className="vtable__cell mono">{batch.id}</span>
      {show('device') && (
        <span
          className="vtable__cell"
          title={batch.station ? `${batch.device} at station ${batch.station}` : undefined}
        >
          {batch.station ? `${batch.station} · ${batch.device}` : batch.device}
        </span>
      )}
      <span className="vtable__cell">
        <StageCell batch={batch} stuck={stuck} ahead={ahead} />
      </span>
      <span className="vtable__cell">
        <Progress done={batch.pagesDone} expected={batch.pagesExpected} label={`Pages of ${batch.id}`} />
      </span>
      {show('attempts') && <span className="vtable__cell">{batch.attempts}</span>}
      {show('age') && (
        <span className="vtable__cell">
          <Age iso={batch.createdAt} />
        </span>
      )}
    </button>
  );
});

export function QueueView() {
  const query = useBatchQuery();
  const ids = useBatchIds();
  const total = useBatchTotal();
  const counts = useBatchCounts();
  const selected = useSelectedBatchId();
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState(query.search);
  const requestedDevice = useNewBatchDevice();
  const [creating, setCreating] = useState<boolean | string>(false);
  useEffect(() => {
    if (requestedDevice) {
      setCreating(requestedDevice);
      newBatchHandled();
    }
  }, [requestedDevice]);
  const [refresh, setRefresh] = useState(0);
  const countsStale = useCountsStale();
  useEffect(() => {
    if (countsStale === 0) return;
    const timer = setTimeout(() => {
      quire.call('batches.list', { limit: 1 }).then(
        (page) => batchCountsReceived(page.counts),
        () => {},
      );
    }, COUNTS_EVERY_MS);
    return () => clearTimeout(timer);
  }, [countsStale]);

  useEffect(() => {
    let cancelled = false;
    const filter = {
      ...(query.stage ? { stage: query.stage } : {}),
      ...(query.device ? { device: query.device } : {}),
      ...(query.search ? { search: query.search } : {}),
    };
    // Pages of 500 until every matching batch is loaded (the table virtualises the rows).
    const load = async () => {
      const items = [];
      let total = 0;
      let counts = {};
      for (let offset = 0; offset < MAX_ROWS; offset += PAGE) {
        const page = await quire.call('batches.list', { ...filter, offset, limit: PAGE });
        if (cancelled) return;
        items.push(...page.items);
        total = page.total;
        counts = page.counts;
        if (items.length >= total) break;
      }
      batchPageReceived({ total, items, counts });
      setError(null);
    };
    load().catch((e) => !cancelled && setError(describeError(e)));
    return () => {
      cancelled = true;
    };
  }, [query, refresh]);

  return (
    <section aria-labelledby="queue-title" className="view view--fill">
      <div className="view__head">
        <div className="row">
          <h1 id="queue-title">Queue</h1>
          <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
            New batch…
          </button>
        </div>
        <ul className="counts" aria-label="Batches by stage">
          {BatchStage.options.map((stage) => (
            <li key={stage}>
              <span className="muted">{STAGE_LABELS[stage]}</span> <strong>{counts[stage] ?? 0}</strong>
            </li>
          ))}
        </ul>
      </div>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          batchQueryChanged({ search: search.trim() });
        }}
      >
        <label>
          Stage
          <select
            value={query.stage}
            onChange={(e) => batchQueryChanged({ stage: e.target.value as BatchStage | '' })}
          >
            <option value="">All stages</option>
            {BatchStage.options.map((stage) => (
              <option key={stage} value={stage}>
                {STAGE_LABELS[stage]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Device
          <input
            value={query.device}
            onChange={(e) => batchQueryChanged({ device: e.target.value.trim() })}
            placeholder="any"
          />
        </label>
        <label className="filters__search">
          Batch id or accession number
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <button type="submit" className="button">
          Search
        </button>
        <span className="muted filters__total">
          {ids.length < total
            ? `Showing ${ids.length} of ${total}`
            : `${total} ${total === 1 ? 'batch' : 'batches'}`}
        </span>
      </form>
      <FormError error={error} />
      <FullTextResults query={query.search} />
      <ThroughputChart />
      <TransferProgress />
      <div className={selected ? 'queue__body queue__body--drawer' : 'queue__body'}>
        <VirtualTable
          ids={ids}
          columns={selected ? DRAWER_COLUMNS : COLUMNS}
          label="Batches"
          emptyText="No batches match."
          renderRow={(id) => <BatchRow id={id} compact={selected !== null} />}
        />
        {selected && <BatchDrawer batchId={selected} onClose={() => batchSelected(null)} />}
      </div>
      {creating && (
        <NewBatchForm
          device={typeof creating === 'string' ? creating : undefined}
          onDone={() => {
            setCreating(false);
            setRefresh((n) => n + 1);
          }}
        />
      )}
    </section>
  );
}
