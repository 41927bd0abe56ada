-- API keys: a request needs "Authorization: Bearer TOKEN" with a key granted its table. Only a
-- SHA-256 of each token is kept (tokens are 256-bit random values, so a fast hash is enough);
-- the token itself is shown once, by `ingest keys create`.
CREATE TABLE ingest.api_keys (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text        NOT NULL UNIQUE,
  token_hash  text        NOT NULL UNIQUE,
  tables      text[]      NOT NULL,   -- table names as granted ('*' = every table)
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
