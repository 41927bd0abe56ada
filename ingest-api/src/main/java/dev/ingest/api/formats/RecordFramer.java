package dev.ingest.api.formats;

/**
 * Knows where a record of one line-based format ends; the one place that does, for the service's
 * stream decoders, {@code ingest load}'s chunker and scheduled imports alike. It never decodes a
 * record: it only finds its bounds, its text without the line end, how many line breaks it spans
 * and what its framing found wrong with it. This base class holds those facts of the record framed
 * last; a format's framer finds them.
 *
 * <p>Use: call {@link #frame} with the undecoded bytes (one record's start onwards) until it says
 * {@link Framing#RECORD}, then read {@link #contentStart}, {@link #contentEnd} and {@link #end};
 * after {@link Framing#NEED_MORE} call it again for the same record with more bytes after it (the
 * buffer may have moved: a framer keeps its progress relative to the record's start). A framer
 * holds the state of one input (a body or a file): one per input, not thread-safe.
 */
public abstract class RecordFramer {
    /** What {@link #frame} found. */
    public enum Framing {
        /** A complete record. */
        RECORD,
        /** The record goes on past the bytes given. */
        NEED_MORE,
        /** No more records: the input ended. */
        END
    }

    private int contentStart;
    private int contentEnd;
    private int end;
    private int lineBreaks;

    /**
     * Frames the record that starts at {@code b[start]}, given {@code b[start, limit)}.
     *
     * @param eof true when no byte follows {@code limit}
     */
    public abstract Framing frame(byte[] b, int start, int limit, boolean eof);

    /** True when the last record holds nothing to decode and is left out (NDJSON's blank line). */
    public abstract boolean blank();

    /** Why the format refuses the last record as framed (a CSV line end of another kind), or null. */
    public abstract String problem();

    /** Notes the record just framed; answers {@link Framing#RECORD}. */
    protected final Framing framed(int contentStart, int contentEnd, int end, int lineBreaks) {
        this.contentStart = contentStart;
        this.contentEnd = contentEnd;
        this.end = end;
        this.lineBreaks = lineBreaks;
        return Framing.RECORD;
    }

    /** Where the last record's text starts. */
    public final int contentStart() {
        return contentStart;
    }

    /** Where the last record's text ends (before its line end). */
    public final int contentEnd() {
        return contentEnd;
    }

    /** Where the next record starts. */
    public final int end() {
        return end;
    }

    /** The line breaks the last record spans, its own line end included (0 for a last line without one). */
    public final int lineBreaks() {
        return lineBreaks;
    }
}
