package dev.ingest.engine.internal.write;

/**
 * Counters of one writer, read without locks (each field is current, the set is not atomic).
 *
 * @param queuedRequests  requests waiting in its queue
 * @param batchLimit      the adaptive batch size now, in rows
 * @param lastBatchRows   rows committed by the last batch
 * @param lastCommitNanos how long the last batch took to write and commit
 * @param batches         batches committed
 * @param rows            rows committed
 * @param deadLettered    refused records written to {@code ingest.rejects} (ack=queued, or asked to keep them)
 * @param queuedLost      records of ack=queued requests that could not be written anywhere
 */
public record WriterStats(int queuedRequests, int batchLimit, int lastBatchRows, long lastCommitNanos, long batches, long rows,
        long deadLettered, long queuedLost) {
}
