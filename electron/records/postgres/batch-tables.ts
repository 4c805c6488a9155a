/**
 * Lab migration 3: every station's batches in one place. The console's two hot reads decide
 * the indexes (README, "Lab database"): the batch list, newest first, whole or by stage, device
 * prefix or text; and the quarantine, oldest first. Keep this text unchanged once released:
 * migrations are append-only and checked by their SHA-256.
 *
 * - newest first: (created_at DESC, id) serves the whole list and its LIMIT/OFFSET pages;
 *   (stage, created_at DESC, id) the list by stage; (device text_pattern_ops, created_at DESC)
 *   the device filter, which is a prefix match;
 * - the quarantine: a partial index on quarantined_at WHERE stage = 'quarantined', so its size
 *   is the size of the quarantine, not of the lab's history;
 * - text search (id or accession number, anywhere in the text): a trigram GIN index (pg_trgm,
 *   shipped with PostgreSQL; creating the extension needs a role allowed to, once per database);
 * - per-stage counts, shown with every list: kept in lab_batch_stage_counts by a trigger, so
 *   the console never counts 200,000 rows to draw its tabs. The trigger takes the two count
 *   rows it changes in name order, so that two stage changes in opposite directions cannot
 *   deadlock.
 */
export const BATCH_TABLES = `
  CREATE EXTENSION IF NOT EXISTS pg_trgm;

  CREATE TABLE lab_batches (
    id                text PRIMARY KEY,
    station           text NOT NULL,
    device            text NOT NULL,
    title             text NOT NULL,
    accession_numbers jsonb NOT NULL,
    search_text       text NOT NULL,
    operator          text NOT NULL,
    manifest          jsonb NOT NULL,
    manifest_sha256   text NOT NULL,
    stage             text NOT NULL,
    pages_expected    integer,
    pages_done        integer NOT NULL DEFAULT 0,
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text,
    package_path      text,
    quarantine        jsonb,
    quarantined_at    timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
  );
  CREATE INDEX lab_batches_newest ON lab_batches (created_at DESC, id);
  CREATE INDEX lab_batches_stage ON lab_batches (stage, created_at DESC, id);
  CREATE INDEX lab_batches_device ON lab_batches (device text_pattern_ops, created_at DESC);
  CREATE INDEX lab_batches_quarantine ON lab_batches (quarantined_at, id) WHERE stage = 'quarantined';
  CREATE INDEX lab_batches_search ON lab_batches USING gin (search_text gin_trgm_ops);

  CREATE TABLE lab_batch_stage_counts (
    stage text PRIMARY KEY,
    n     bigint NOT NULL
  );
  CREATE FUNCTION lab_batch_count_stages() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    gone text := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN OLD.stage END;
    came text := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN NEW.stage END;
  BEGIN
    IF gone IS NOT NULL AND (came IS NULL OR gone < came) THEN
      UPDATE lab_batch_stage_counts SET n = n - 1 WHERE stage = gone;
      gone := NULL;
    END IF;
    IF came IS NOT NULL THEN
      INSERT INTO lab_batch_stage_counts (stage, n) VALUES (came, 1)
        ON CONFLICT (stage) DO UPDATE SET n = lab_batch_stage_counts.n + 1;
    END IF;
    IF gone IS NOT NULL THEN
      UPDATE lab_batch_stage_counts SET n = n - 1 WHERE stage = gone;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER lab_batches_counted AFTER INSERT OR DELETE ON lab_batches
    FOR EACH ROW EXECUTE FUNCTION lab_batch_count_stages();
  CREATE TRIGGER lab_batches_recounted AFTER UPDATE OF stage ON lab_batches
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage) EXECUTE FUNCTION lab_batch_count_stages();

  CREATE TABLE lab_batch_pages (
    batch_id       text NOT NULL REFERENCES lab_batches (id),
    page           integer NOT NULL,
    bytes          bigint NOT NULL,
    sha256         text NOT NULL,
    master_path    text NOT NULL,
    width          integer,
    height         integer,
    metadata       jsonb,
    access_path    text,
    thumbnail_path text,
    sidecar_path   text,
    captured_at    timestamptz NOT NULL,
    PRIMARY KEY (batch_id, page)
  );

  CREATE TABLE lab_batch_attempts (
    id          bigserial PRIMARY KEY,
    batch_id    text NOT NULL REFERENCES lab_batches (id),
    stage       text NOT NULL,
    attempt     integer NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text NOT NULL,
    error       text,
    worker      text
  );
  CREATE INDEX lab_batch_attempts_batch ON lab_batch_attempts (batch_id, id);

  CREATE TABLE lab_batch_decisions (
    id         bigserial PRIMARY KEY,
    batch_id   text NOT NULL REFERENCES lab_batches (id),
    decision   text NOT NULL CHECK (decision IN ('release', 'requeue', 'reject')),
    decided_by text NOT NULL,
    decided_at timestamptz NOT NULL,
    reason     text NOT NULL,
    note       text NOT NULL,
    pages      jsonb
  );
  CREATE INDEX lab_batch_decisions_batch ON lab_batch_decisions (batch_id, id);
`;
