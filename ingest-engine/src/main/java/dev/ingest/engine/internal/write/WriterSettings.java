package dev.ingest.engine.internal.write;

/**
 * The writer's knobs, in the units the hot loop wants.
 *
 * @param maxBatchRows    rows gathered into one transaction at most
 * @param lingerNanos     how long a started batch waits for more requests
 * @param backoffMinNanos first pause after a connection failure
 * @param backoffMaxNanos longest pause between retries
 */
public record WriterSettings(int maxBatchRows, long lingerNanos, long backoffMinNanos, long backoffMaxNanos) {
}
