package dev.ingest.api.formats;

/**
 * Knows where a record of one line-based format ends; the one place that does, for the service's
 * stream decoders, {@code ingest load}'s chunker and scheduled imports alike. It never decodes a
 * record: it only finds its bounds, its text without the line end, and how many line breaks it
 * spans.
 *
 * <p>Use: call {@link #frame} with the undecoded bytes (one record's start onwards) until it says
 * {@link Framing#RECORD}, then read {@link #contentStart}, {@link #contentEnd} and {@link #end};
 * after {@link Framing#NEED_MORE} call it again for the same record with more bytes after it (the
 * buffer may have moved: the framer keeps its progress relative to the record's start). A framer
 * holds the state of one input (a body or a file): one per input, not thread-safe.
 */
public interface RecordFramer {
    /** What {@link #frame} found. */
    enum Framing {
        /** A complete record. */
        RECORD,
        /** The record goes on past the bytes given. */
        NEED_MORE,
        /** No more records: the input ended. */
        END
    }

    /**
     * Frames the record that starts at {@code b[start]}, given {@code b[start, limit)}.
     *
     * @param eof true when no byte follows {@code limit}
     */
    Framing frame(byte[] b, int start, int limit, boolean eof);

    /** Where the last record's text starts. */
    int contentStart();

    /** Where the last record's text ends (before its line end). */
    int contentEnd();

    /** Where the next record starts. */
    int end();

    /** The line breaks the last record spans, its own line end included (0 for a last line without one). */
    int lineBreaks();

    /** True when the last record holds nothing to decode and is left out (NDJSON's blank line). */
    boolean blank();

    /** Why the format refuses the last record as framed (a CSV line end of another kind), or null. */
    String problem();
}
