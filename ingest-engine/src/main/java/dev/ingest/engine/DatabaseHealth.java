package dev.ingest.engine;

/**
 * Whether the writers can reach the database, as their last attempts found. Lets the service
 * answer 503 (the database is down) rather than 429 (too much load) when it cannot take more.
 * Thread-safe.
 */
public final class DatabaseHealth {
    private volatile boolean up = true;

    public boolean isUp() {
        return up;
    }

    /** A writer committed. */
    public void up() {
        up = true;
    }

    /** A writer failed to reach the database. */
    public void down() {
        up = false;
    }
}
