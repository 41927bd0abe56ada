package dev.ingest.engine;

/**
 * Told of each batch a writer commits, for metrics. Called on writer threads right after the
 * commit: implementations must be cheap and must not throw.
 */
public interface EngineListener {
    EngineListener NONE = new EngineListener() {
    };

    /**
     * A batch committed.
     *
     * @param table     {@code schema.table}
     * @param rows      rows written
     * @param rejected  records rejected (by conversion or by the database) in the batch's requests
     * @param nanos     how long the batch took, from its start to its commit
     */
    default void batchCommitted(String table, int rows, int rejected, long nanos) {
    }

    /** Records rejected before any database work, of a request that never reached a writer. */
    default void rejectedEarly(String table, int rejected) {
    }
}
