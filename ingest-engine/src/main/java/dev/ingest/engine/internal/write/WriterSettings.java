package dev.ingest.engine.internal.write;

import dev.ingest.engine.EngineConfig;

/**
 * The writer's knobs, in the units the hot loop wants.
 *
 * @param maxBatchRows       rows gathered into one transaction at most
 * @param minBatchRows       the adaptive limit's floor
 * @param latencyTargetNanos the commit latency the adaptive limit steers toward
 * @param lingerNanos        how long a started batch waits for more requests
 * @param backoffMinNanos    first pause after a connection failure
 * @param backoffMaxNanos    longest pause between retries
 * @param idleParkNanos      how long an idle writer waits for its queue before it looks again
 * @param staleSchemaRetries attempts of a batch after stale statements before the error is the answer
 * @param catalogRefreshTimeoutNanos how long a writer waits for the catalog refresh it asked for
 */
public record WriterSettings(int maxBatchRows, int minBatchRows, long latencyTargetNanos, long lingerNanos,
        long backoffMinNanos, long backoffMaxNanos, long idleParkNanos, int staleSchemaRetries, long catalogRefreshTimeoutNanos) {

    /** The writers' settings of an engine configuration. */
    public static WriterSettings of(EngineConfig config) {
        return new WriterSettings(config.maxBatchRows(), config.minBatchRows(), config.batchLatencyTarget().toNanos(),
                config.linger().toNanos(), config.retryBackoffMin().toNanos(), config.retryBackoffMax().toNanos(),
                config.writerIdlePark().toNanos(), config.staleSchemaRetries(), config.catalogRefreshTimeout().toNanos());
    }
}
