-- The service's own schema. Flyway creates it and keeps its history table here; later migrations
-- add the service's tables (idempotency keys, rejects, import runs) to it.
COMMENT ON SCHEMA ingest IS 'Owned by the ingest service: migrations, bookkeeping. Not for user data.';
