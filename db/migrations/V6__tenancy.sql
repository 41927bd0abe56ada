-- Tenancy (issue 11).

-- An idempotency key belongs to its caller: the scope is 'key:<api key id>' for a request made
-- with an API key, 'anonymous' for one made without (authentication off), 'import:<job>' for a
-- scheduled import. One caller can never replay, consume or block another's keys.
-- A key is also bound to the request it first came with: request_fingerprint covers the table,
-- the format and the options; body_bytes and body_sha256 cover the first body_bytes bytes of the
-- body as received (after Content-Encoding is undone): the whole body of a JSON request, and for
-- a streamed body everything up to the end of the segment this row answers for. A repeat whose
-- fingerprint differs is refused (422 idempotency_key_reused) instead of replayed.
-- Rows written before this migration keep the scope '' and no fingerprint: they are still
-- honoured for every caller (so that retries across the upgrade write nothing twice) and expire
-- with the retention period.
ALTER TABLE ingest.idempotency_keys
  ADD COLUMN scope text NOT NULL DEFAULT '',
  ADD COLUMN request_fingerprint text,
  ADD COLUMN body_bytes bigint,
  ADD COLUMN body_sha256 text;
ALTER TABLE ingest.idempotency_keys ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE ingest.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE ingest.idempotency_keys ADD PRIMARY KEY (scope, table_name, key, first_index);

-- Grants name tables unambiguously: schema and table apart, exactly as in the catalog (a table
-- may have a dot in its name). all_tables is the '*' grant.
ALTER TABLE ingest.api_keys ADD COLUMN all_tables boolean NOT NULL DEFAULT false;
CREATE TABLE ingest.api_key_grants (
  key_id      bigint NOT NULL REFERENCES ingest.api_keys (id),
  schema_name text   NOT NULL,
  table_name  text   NOT NULL,
  PRIMARY KEY (key_id, schema_name, table_name)
);
UPDATE ingest.api_keys SET all_tables = true WHERE '*' = ANY (tables);
-- Earlier grants were written 'schema.table' or 'table' (then meant in schema public).
INSERT INTO ingest.api_key_grants (key_id, schema_name, table_name)
SELECT k.id,
       CASE WHEN strpos(g, '.') > 0 THEN split_part(g, '.', 1) ELSE 'public' END,
       CASE WHEN strpos(g, '.') > 0 THEN substr(g, strpos(g, '.') + 1) ELSE g END
FROM ingest.api_keys k, unnest(k.tables) AS g
WHERE g <> '*'
ON CONFLICT DO NOTHING;
ALTER TABLE ingest.api_keys DROP COLUMN tables;
