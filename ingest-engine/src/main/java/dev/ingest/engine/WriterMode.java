package dev.ingest.engine;

import java.util.Locale;

/**
 * How a table's writers send rows. All modes have the same semantics (defaults for omitted
 * columns, per-record rejections by bisection, ack after commit); they differ in speed.
 */
public enum WriterMode {
    /** Multi-row {@code INSERT ... VALUES (...), (...)} with one bind parameter per value. */
    VALUES,
    /**
     * {@code INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...)}: one parameter per column.
     * Row groups with array columns (which unnest would flatten) are written as VALUES.
     */
    UNNEST,
    /** {@code COPY ... FROM STDIN} in text format through pgjdbc's CopyManager. */
    COPY;

    /** Parses {@code values}, {@code unnest} or {@code copy}, in any case. */
    public static WriterMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("writer mode must be values, unnest or copy, not \"" + text + "\"");
        }
    }
}
