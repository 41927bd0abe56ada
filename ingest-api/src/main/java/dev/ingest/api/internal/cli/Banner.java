package dev.ingest.api.internal.cli;

import dev.ingest.api.IngestService;

/** What {@code ingest serve} prints once it listens: where, which database, and an example to try. */
final class Banner {
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
        b.append("\nTry it:\n")
                .append("  curl -s -X POST '").append(base).append("/v1/tables/events/records' \\\n")
                .append("    -H 'Content-Type: application/json' \\\n")
                .append("    -d '[{\"event_id\":\"4b3e1c2a-8f6d-4a1b-9c3e-2d5f6a7b8c9d\",\"ts\":\"2026-01-01T12:00:00Z\",")
                .append("\"source\":\"web\",\"kind\":\"click\",\"user_id\":42,\"value\":1.5,\"payload\":{\"page\":\"/home\"}}]'\n")
                .append("  curl -s ").append(base).append("/v1/tables\n");
        return b.toString();
    }

    private static String hostForUrl(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
