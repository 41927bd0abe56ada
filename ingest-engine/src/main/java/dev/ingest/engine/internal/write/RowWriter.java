package dev.ingest.engine.internal.write;

import java.sql.Connection;
import java.sql.SQLException;

/** Sends a slice of a row group to the database in one statement, inside the caller's transaction. */
interface RowWriter {
    /** Writes {@code group.rows[from, to)}; returns what the statement did. */
    Written write(Connection c, RowGroup group, int from, int to) throws SQLException;

    /** Rows of {@code group} that one statement may carry. */
    int maxRows(RowGroup group);

    /**
     * How many of the {@code remaining} rows the next statement of a batch should carry: all that
     * fit by default; writers whose statement text depends on the row count choose fewer shapes.
     */
    default int nextChunk(RowGroup group, int remaining) {
        return Math.min(remaining, maxRows(group));
    }
}
