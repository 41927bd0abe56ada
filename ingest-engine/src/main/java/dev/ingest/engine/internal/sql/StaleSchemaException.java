package dev.ingest.engine.internal.sql;

import java.sql.SQLException;

/**
 * A writer found, inside its transaction and before COMMIT, that the table's columns are no longer
 * those its statements were made for: DDL committed after the records were converted. The
 * transaction is rolled back and the batch written again against the catalog as it now is.
 */
public final class StaleSchemaException extends SQLException {
    public StaleSchemaException(String table) {
        super("the columns of " + table + " changed while the batch was written", SqlStates.SCHEMA_CHANGED);
    }
}
