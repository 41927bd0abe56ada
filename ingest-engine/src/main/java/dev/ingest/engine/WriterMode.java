package dev.ingest.engine;

import java.util.Locale;

/**
 * How a table's writers send rows. All modes have the same semantics (defaults for omitted
 * columns, per-record rejections by bisection, ack after commit); they differ in speed.
 */
public enum WriterMode {
    /**
     * The default: per row group, COPY when it has at least {@link #AUTO_COPY_ROWS} rows and no
     * {@code on_conflict} (COPY has none), in the binary format where {@link #COPY_BINARY} can
     * carry the group and in text otherwise; multi-row {@link #VALUES} for the other large groups;
     * {@link #UNNEST} for groups under {@link #AUTO_COPY_ROWS} rows ({@code VALUES} where an array
     * column rules unnest out). COPY moves a large group in one stream with no bind parameters, but
     * costs a round trip more than a prepared INSERT (the server answers the COPY command before
     * the data is sent) and its command text is parsed each time, so small groups, the usual case
     * of one-record requests, go as an INSERT; unnest sends any row count in one statement, where
     * VALUES in power-of-two row counts needs one statement, and one round trip, per bit of the
     * count (13 rows: 8 + 4 + 1).
     */
    AUTO,
    /** Multi-row {@code INSERT ... VALUES (...), (...)} with one bind parameter per value. */
    VALUES,
    /**
     * {@code INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...)}: one parameter per column.
     * Row groups with array columns (which unnest would flatten) are written as VALUES.
     */
    UNNEST,
    /** {@code COPY ... FROM STDIN} in text format through pgjdbc's CopyManager. */
    COPY,
    /**
     * {@code COPY ... FROM STDIN WITH (FORMAT binary)}: values of the common types (int2/4/8, bool,
     * uuid, float8, timestamptz with an offset, text, json, jsonb) encoded in PostgreSQL's binary
     * form, so the server does not parse them; a statement holding a value whose meaning the
     * encoder cannot prove equal to PostgreSQL's reading of its text, or a column of another type,
     * goes as text {@link #COPY}. Groups with {@code on_conflict} go as for {@code COPY}.
     */
    COPY_BINARY;

    /** The fewest rows of a group that {@link #AUTO} sends by COPY. */
    public static final int AUTO_COPY_ROWS = 128;

    /** Parses {@code auto}, {@code values}, {@code unnest}, {@code copy} or {@code copy_binary}, in any case. */
    public static WriterMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("writer mode must be auto, values, unnest, copy or copy_binary, not \"" + text + "\"");
        }
    }
}
