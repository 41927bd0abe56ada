-- Idempotency keys: the answer given to a request, written in the same transaction as its rows,
-- so a retry with the same key gets that answer back and writes nothing, also after a crash
-- between commit and answer. A streamed body commits in segments: one row per segment, covering
-- the records [first_index, end_index) of the body.
CREATE TABLE ingest.idempotency_keys (
  table_name  text        NOT NULL,
  key         text        NOT NULL,
  first_index integer     NOT NULL,
  end_index   integer     NOT NULL,
  status      smallint    NOT NULL,
  result      jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (table_name, key, first_index)
);
CREATE INDEX idempotency_keys_created_at ON ingest.idempotency_keys (created_at);

-- One row per committed batch: when the connection fails while a COMMIT is in flight, the
-- writer looks here to learn whether it committed, instead of writing the batch twice.
CREATE TABLE ingest.commits (
  batch_id     uuid        PRIMARY KEY,
  committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commits_committed_at ON ingest.commits (committed_at);
