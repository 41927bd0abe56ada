package dev.ingest.engine;

/**
 * The engine's answer to a request for room (a {@linkplain IngestEngine#submit submission}, a
 * {@linkplain UploadSession#flush() segment}, a {@linkplain MemoryHold#tryTake hold}): taken, or
 * why not. Being full is a value, not an exception, so that the caller can answer 429 or pause
 * its input without stack traces on the hot path.
 */
public enum Admission {
    /** Taken; a submitted request's result completes after commit. */
    ACCEPTED,
    /** The memory budget holds as many records as it may; try again when writers free some. */
    BUDGET_FULL,
    /** The table's writer queues are full; try again later. */
    QUEUE_FULL,
    /**
     * The budget or the queues are full while the writers cannot reach the database: nothing
     * drains until it is back.
     */
    DATABASE_DOWN,
    /** The engine is shutting down and takes no new work. */
    CLOSED;

    public boolean accepted() {
        return this == ACCEPTED;
    }
}
