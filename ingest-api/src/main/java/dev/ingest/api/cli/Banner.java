package dev.ingest.api.cli;

import dev.ingest.api.db.DatabaseUrl;
import dev.ingest.api.server.IngestService;
import dev.ingest.engine.ColumnSchema;
import dev.ingest.engine.TableSchema;
import java.util.List;
import java.util.Optional;

/**
 * What {@code ingest serve} prints once it listens: where, which database, and an example that
 * works as printed in this situation: it posts to a table that exists (the example {@code events}
 * table if there is one, else the first ingestible table, with a value of its type for each
 * column), carries the Authorization header when authentication is on, and says how to create a
 * table when there is none.
 */
final class Banner {
    private static final String EVENTS_EXAMPLE = "[{\"event_id\":\"4b3e1c2a-8f6d-4a1b-9c3e-2d5f6a7b8c9d\",\"ts\":\"2026-01-01T12:00:00Z\","
            + "\"source\":\"web\",\"kind\":\"click\",\"user_id\":42,\"value\":1.5,\"payload\":{\"page\":\"/home\"}}]";
    private static final List<String> EVENTS_COLUMNS = List.of("event_id", "ts", "source", "kind", "user_id", "value", "payload");

    private Banner() {
    }

    static String text(IngestService service) {
        String base = (service.tls() ? "https://" : "http://") + hostForUrl(service.host()) + ":" + service.port();
        StringBuilder b = new StringBuilder()
                .append("\ningest is listening on ").append(base).append('\n');
        if (service.embedded()) {
            b.append("database: embedded PostgreSQL at ").append(service.database().display())
                    .append("  (psql ").append(service.database().display()).append(")\n");
        } else {
            b.append("database: ").append(service.database().display()).append('\n');
        }
        boolean auth = service.authEnforced();
        String header = auth ? "    -H \"Authorization: Bearer $INGEST_TOKEN\" \\\n" : "";
        List<TableSchema> tables = service.engine().catalog().tables();
        Optional<TableSchema> target = tables.stream().filter(t -> t.name().equals("events")).findFirst()
                .or(() -> tables.stream().findFirst());
        b.append("\nTry it:\n");
        if (target.isEmpty()) {
            b.append("  (no tables yet in ").append(String.join(", ", service.engine().config().schemas()))
                    .append(": create one, then post to it)\n")
                    .append("  psql '").append(withoutPassword(service.database()))
                    .append("' -c 'CREATE TABLE events (id bigint NOT NULL, ts timestamptz NOT NULL DEFAULT now(), payload jsonb)'\n");
        }
        if (auth) {
            String table = target.map(TableSchema::name).orElse("events");
            b.append("  (authentication is on: set INGEST_TOKEN to a token granted ").append(table)
                    .append(", e.g. INGEST_TOKEN=$(ingest keys create --name NAME --tables ").append(table)
                    .append("), run with serve's database settings)\n");
        }
        String table = target.map(TableSchema::qualifiedName).orElse("events");
        b.append("  curl -s -X POST '").append(base).append("/v1/tables/").append(pathName(target, table)).append("/records' \\\n")
                .append(header)
                .append("    -H 'Content-Type: application/json' \\\n")
                .append("    -d '").append(target.map(Banner::example).orElse("[{\"id\":1,\"payload\":{\"page\":\"/home\"}}]")).append("'\n")
                .append("  curl -s ").append(auth ? "-H \"Authorization: Bearer $INGEST_TOKEN\" " : "").append(base).append("/v1/tables\n");
        return b.toString();
    }

    /** The table as the URL names it: bare in the first configured schema, else schema.table. */
    private static String pathName(Optional<TableSchema> target, String fallback) {
        return target.map(t -> t.schema().equals("public") ? t.name() : t.qualifiedName()).orElse(fallback);
    }

    /** One record for the table: a value of its type for each writable column that needs one or can take one. */
    static String example(TableSchema table) {
        if (table.name().equals("events") && table.columns().stream().map(ColumnSchema::name).toList().containsAll(EVENTS_COLUMNS)) {
            return EVENTS_EXAMPLE;
        }
        StringBuilder r = new StringBuilder("[{");
        for (ColumnSchema c : table.columns()) {
            String value = c.writable() ? value(c) : null;
            if (value == null) {
                continue;
            }
            if (r.length() > 2) {
                r.append(',');
            }
            r.append('"').append(c.name().replace("\\", "\\\\").replace("\"", "\\\"").replace("'", "")).append("\":").append(value);
        }
        return r.append("}]").toString();
    }

    private static String value(ColumnSchema c) {
        String type = c.sqlType();
        return switch (c.kind()) {
            case BOOLEAN -> "true";
            case SMALLINT, INTEGER, BIGINT -> "1";
            case NUMERIC, FLOAT -> "1.5";
            case TEXT -> "\"example\"";
            case JSON -> "{\"page\":\"/home\"}";
            case UUID -> "\"4b3e1c2a-8f6d-4a1b-9c3e-2d5f6a7b8c9d\"";
            case ARRAY -> "[]";
            default -> type.startsWith("timestamp") ? "\"2026-01-01T12:00:00Z\""
                    : type.equals("date") ? "\"2026-01-01\""
                    : c.nullable() || c.hasDefault() ? null : "\"...\"";
        };
    }

    private static String withoutPassword(DatabaseUrl url) {
        return "postgresql://" + (url.user() == null ? "" : url.user() + "@") + url.where() + "/" + url.database();
    }

    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
