package dev.ingest.engine;

/**
 * Whether the writers can reach the database, as their last attempts found. Lets the service
 * answer 503 (the database is down) rather than 429 (too much load) when it cannot take more.
 * Thread-safe.
 */
public final class DatabaseHealth {
    private final Runnable onConnectionLost;
    private volatile boolean up = true;

    /**
     * @param onConnectionLost runs at each connection failure: drops the pool's idle connections,
     *                         which are likely dead too (after a restart, all of them are), so that
     *                         a retry gets a new one instead of the next dead one
     */
    public DatabaseHealth(Runnable onConnectionLost) {
        this.onConnectionLost = onConnectionLost;
    }

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
        onConnectionLost.run();
    }
}
