package dev.ingest.engine;

/**
 * The answer of {@link IngestEngine#submit}: whether the request was taken. Being full is a value,
 * not an exception, so that the caller can answer 429 without stack traces on the hot path.
 */
public enum Admission {
    /** Queued; the request's {@link IngestRequest#result()} completes after commit. */
    ACCEPTED,
    /** The table's queue is full; try again later. */
    QUEUE_FULL,
    /** The engine is shutting down and takes no new work. */
    CLOSED
}
