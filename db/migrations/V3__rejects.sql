-- Dead letters of ack=queued requests: every record the service or the database refused, written
-- in the same transaction as its request's accepted rows, so each queued record ends up exactly
-- once either in its table or here. Kept until an operator deletes them.
--   record: the record as JSON. Refused by the database: the values it was given, column -> text
--           (json_populate_record turns it back into a row). Refused before that: as received,
--           or the raw line as a JSON string when it could not be parsed.
--   record_index: the record's 0-based position in its request body.
CREATE TABLE ingest.rejects (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  table_name      text        NOT NULL,
  record          json        NOT NULL,
  sqlstate        text        NOT NULL,
  message         text        NOT NULL,
  rejected_at     timestamptz NOT NULL DEFAULT now(),
  record_index    integer     NOT NULL,
  idempotency_key text
);
CREATE INDEX rejects_table_name_rejected_at ON ingest.rejects (table_name, rejected_at);
