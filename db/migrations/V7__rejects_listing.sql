-- GET /v1/rejects (issue 13): one table's rejects, page by page in id order (keyset pagination:
-- WHERE table_name = ? AND id > ? ORDER BY id LIMIT ?), answered from this index alone however
-- many rejects other tables have. Refused records of ack=commit requests are kept here too when
-- the request asks (rejects=keep) or the table is configured so (keep_rejects); source names the
-- sender ('http key:<api key id>', 'http anonymous', or a scheduled import's job and file).
-- Building it locks ingest.rejects against writes for as long as it takes (it is a plain
-- CREATE INDEX, as Flyway runs each migration in a transaction).
CREATE INDEX rejects_table_name_id ON ingest.rejects (table_name, id);
