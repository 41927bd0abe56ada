package dev.ingest.api.formats;

import java.util.Locale;
import java.util.Optional;

/** The record formats a request body may have, by its Content-Type. */
public enum BodyFormat {
    /** One JSON object, or an array of objects. */
    JSON,
    /** One JSON object per line; streamed. */
    NDJSON,
    /** Comma-separated values with a header row of column names; streamed. */
    CSV;

    /** Whether records are decoded and committed as the body arrives, rather than as a whole. */
    public boolean streamed() {
        return this != JSON;
    }

    /**
     * The format for a Content-Type header value, ignoring parameters other than a charset, which
     * must be UTF-8 when given. Empty for anything else (the caller answers 415).
     */
    public static Optional<BodyFormat> fromContentType(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String[] parts = header.split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
                return Optional.empty();
            }
        }
        return switch (parts[0].trim().toLowerCase(Locale.ROOT)) {
            case "application/json" -> Optional.of(JSON);
            case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines" -> Optional.of(NDJSON);
            case "text/csv", "application/csv" -> Optional.of(CSV);
            default -> Optional.empty();
        };
    }
}
