package dev.ingest.engine.internal.write;

import java.sql.Connection;
import java.sql.SQLException;

/** Sends a slice of a row group to the database in one statement, inside the caller's transaction. */
interface RowWriter {
    /** Writes {@code group.rows[from, to)}; returns the number of rows written. */
    int write(Connection c, RowGroup group, int from, int to) throws SQLException;

    /** Rows of {@code group} that one statement may carry. */
    int maxRows(RowGroup group);
}
