package dev.ingest.api.formats;

import dev.ingest.engine.TableSchema;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The record formats of the service, {@code ingest load} and scheduled imports: the Content-Types
 * a body of each may have, the file extensions that imply it, how a file of it is sent, its framer
 * and its stream decoder. No Vert.x.
 */
public enum Format {
    /** A header row of column names, then one record per row. Streamed; files are sent as CSV. */
    CSV(List.of("text/csv", "application/csv"), List.of(".csv")),
    /** One JSON object per line. Streamed; files are sent as NDJSON. */
    NDJSON(List.of("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"),
            List.of(".ndjson", ".jsonl")),
    /**
     * One JSON object, or an array of objects. A body is decoded whole ({@link JsonRecordDecoder});
     * a file is sent as NDJSON, one element per line.
     */
    JSON(List.of("application/json"), List.of(".json"));

    private final List<String> contentTypes;
    private final List<String> extensions;

    Format(List<String> contentTypes, List<String> extensions) {
        this.contentTypes = contentTypes;
        this.extensions = extensions;
    }

    /** Whether records are decoded and committed as the body arrives, rather than as a whole. */
    public boolean streamed() {
        return this != JSON;
    }

    /** The format a file of this one is sent in by {@code ingest load}: JSON as NDJSON, the others as they are. */
    public Format sentAs() {
        return this == JSON ? NDJSON : this;
    }

    /** The Content-Type a body of this format is sent with. */
    public String contentType() {
        return contentTypes.get(0);
    }

    /**
     * A new framer for one input of a line format (CSV, NDJSON). A JSON document is framed by
     * Jackson's parser instead ({@link JsonElements}), which also judges it.
     */
    public RecordFramer framer() {
        return switch (this) {
            case CSV -> new CsvGrammar();
            case NDJSON -> new LineFramer();
            case JSON -> throw new IllegalStateException("a JSON document is framed by JsonElements");
        };
    }

    /**
     * A new decoder for one body (or file) of a streamed format into {@code table}.
     *
     * @param maxRecordBytes the longest record (line) accepted
     * @param maxRecords     the most records a body may hold; more is {@link BodyException#tooManyRecords}
     */
    public StreamDecoder decoder(TableSchema table, long maxRecordBytes, int maxRecords) {
        return new FramedDecoder(framer(), records(table, maxRecords), maxRecordBytes);
    }

    /**
     * A new decoder of one input's framed records (for a streamed format) into {@code table}.
     *
     * @param maxRecords the most records the input may hold; more is {@link BodyException#tooManyRecords}
     */
    public RecordDecoder records(TableSchema table, int maxRecords) {
        return switch (this) {
            case CSV -> new CsvRecords(table, maxRecords);
            case NDJSON -> new NdjsonRecords(table, maxRecords);
            case JSON -> throw new IllegalStateException("a JSON body is decoded whole, by JsonRecordDecoder");
        };
    }

    /**
     * The format for a Content-Type header value, ignoring parameters other than a charset, which
     * must be UTF-8 when given. Empty for anything else (the caller answers 415).
     */
    public static Optional<Format> fromContentType(String header) {
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
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        for (Format f : values()) {
            if (f.contentTypes.contains(type)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The format a file name implies ({@code .gz} aside), if any. */
    public static Optional<Format> fromFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        for (Format f : values()) {
            for (String extension : f.extensions) {
                if (n.endsWith(extension)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    /** The format a flag or setting names ({@code csv}, {@code ndjson}, {@code json}). */
    public static Format parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be csv, ndjson or json, not " + value);
        }
    }
}
