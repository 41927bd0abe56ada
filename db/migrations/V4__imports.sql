-- Scheduled imports.

-- db-scheduler's table (cluster-safe cron across replicas: each occurrence of a job is picked by
-- one instance, under row locks), in the service's schema.
CREATE TABLE ingest.scheduled_tasks (
  task_name            text        NOT NULL,
  task_instance        text        NOT NULL,
  task_data            bytea,
  execution_time       timestamptz,
  picked               boolean     NOT NULL,
  picked_by            text,
  last_success         timestamptz,
  last_failure         timestamptz,
  consecutive_failures integer,
  last_heartbeat       timestamptz,
  version              bigint      NOT NULL,
  priority             smallint,
  state                text,
  PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX scheduled_tasks_execution_time ON ingest.scheduled_tasks (execution_time);
CREATE INDEX scheduled_tasks_last_heartbeat ON ingest.scheduled_tasks (last_heartbeat);
CREATE INDEX scheduled_tasks_priority_execution_time ON ingest.scheduled_tasks (priority DESC, execution_time ASC);

-- Every run of a job: when, what it did, how it ended.
CREATE TABLE ingest.import_runs (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job           text        NOT NULL,
  trigger       text        NOT NULL,   -- schedule | manual
  instance      text        NOT NULL,   -- the replica that ran it
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  status        text        NOT NULL,   -- running | succeeded | failed | skipped
  files         integer     NOT NULL DEFAULT 0,
  rows_accepted bigint      NOT NULL DEFAULT 0,
  rows_rejected bigint      NOT NULL DEFAULT 0,
  error         text
);
CREATE INDEX import_runs_job_started_at ON ingest.import_runs (job, started_at DESC);

-- Every source file a job has imported completely: a file is imported once. Its identity covers
-- its name, size, modification time (or ETag / Last-Modified) and content hash.
CREATE TABLE ingest.import_files (
  job            text        NOT NULL,
  file_id        text        NOT NULL,
  source         text        NOT NULL,
  size           bigint      NOT NULL,
  content_sha256 text        NOT NULL,
  run_id         bigint      NOT NULL,
  rows_accepted  bigint      NOT NULL,
  rows_rejected  bigint      NOT NULL,
  imported_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, file_id)
);

-- Where a dead letter came from, e.g. "import events-hourly: /data/incoming/a.csv".
ALTER TABLE ingest.rejects ADD COLUMN source text;
