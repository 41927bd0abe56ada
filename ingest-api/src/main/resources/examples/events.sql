-- The example table of a fresh embedded database (the workload of shared/design/BENCHMARKS.md).
CREATE TABLE IF NOT EXISTS public.events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  ts       timestamptz NOT NULL,
  source   text NOT NULL,
  kind     text NOT NULL,
  user_id  bigint,
  value    double precision,
  payload  jsonb
);
