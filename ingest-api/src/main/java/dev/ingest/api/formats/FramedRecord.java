package dev.ingest.api.formats;

/**
 * One record as its format's framer found it, for a {@link RecordDecoder}: where its text lies,
 * the line it starts on, and what the framing found wrong with it. Valid until the input moves on.
 */
public interface FramedRecord {
    /** The buffer holding the record. */
    byte[] bytes();

    /** Where the record's text starts in {@link #bytes()}. */
    int contentStart();

    /** Where it ends (before its line end). */
    int contentEnd();

    /** The line of the input it starts on (1-based). */
    long line();

    /** Why the format refuses the record as framed (a CSV line end of another kind), or null. */
    String problem();
}
