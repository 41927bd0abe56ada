package dev.ingest.engine;

import java.util.List;

/**
 * A snapshot of the engine's state for monitoring (the stats endpoint, benchmarks).
 *
 * @param budgetUsedBytes     bytes of records held (queued or being written)
 * @param budgetLimitBytes    the memory budget
 * @param drainBytesPerSecond how fast held bytes are being committed, smoothed
 * @param tables              per table that has received records since start
 */
public record EngineStats(long budgetUsedBytes, long budgetLimitBytes, double drainBytesPerSecond, List<Table> tables) {

    /**
     * @param table            {@code schema.table}
     * @param writerMode       how its writers send rows
     * @param writers          how many writers it has
     * @param queuedRequests   requests waiting, across its writers
     * @param batchLimit       the largest adaptive batch limit among its writers, in rows
     * @param lastBatchRows    rows of the most recent batch among its writers
     * @param lastCommitMillis how long the slowest writer's last batch took
     * @param batches          batches committed
     * @param rows             rows committed
     * @param deadLettered     refused records written to {@code ingest.rejects} (ack=queued, or asked to keep them)
     * @param queuedLost       records of {@code ack=queued} requests that could be written neither to the
     *                         table nor to {@code ingest.rejects} (the service stopped while the database
     *                         was down, say); each is also logged as an error
     */
    public record Table(String table, WriterMode writerMode, int writers, int queuedRequests, int batchLimit,
            int lastBatchRows, double lastCommitMillis, long batches, long rows, long deadLettered, long queuedLost) {
    }
}
