package dev.ingest.engine;

/**
 * The answer of {@link IngestEngine#submit}: whether the request was taken, and if not, why. Being
 * full is a value, not an exception, so that the caller can answer 429 without stack traces on
 * the hot path.
 */
public enum Admission {
    /** Queued; the request's {@link IngestRequest#result()} completes after commit. */
    ACCEPTED,
    /** The memory budget holds as many records as it allows; try again later. */
    BUDGET_FULL,
    /** The table's queue is full; try again later. */
    QUEUE_FULL,
    /** Writes are failing and the engine holds as many records as it may until the database is back. */
    DATABASE_DOWN,
    /** The engine is shutting down and takes no new work. */
    CLOSED
}
