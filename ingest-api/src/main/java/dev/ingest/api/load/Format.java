package dev.ingest.api.load;

import java.util.Locale;
import java.util.Optional;

/** The formats {@code ingest load} reads, and how each is sent. */
public enum Format {
    /** A header row of column names, then one record per row. Sent as CSV. */
    CSV("text/csv"),
    /** One JSON object per line. Sent as NDJSON. */
    NDJSON("application/x-ndjson"),
    /** A JSON array of objects (or one object). Sent as NDJSON, one element per line. */
    JSON("application/x-ndjson");

    private final String contentType;

    Format(String contentType) {
        this.contentType = contentType;
    }

    /** The Content-Type of the chunks sent for this format. */
    public String contentType() {
        return contentType;
    }

    /** The format a file name implies ({@code .gz} aside), if any. */
    public static Optional<Format> fromFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        if (n.endsWith(".ndjson") || n.endsWith(".jsonl")) {
            return Optional.of(NDJSON);
        }
        if (n.endsWith(".json")) {
            return Optional.of(JSON);
        }
        return Optional.empty();
    }

    public static Format parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be csv, ndjson or json, not " + value);
        }
    }
}
