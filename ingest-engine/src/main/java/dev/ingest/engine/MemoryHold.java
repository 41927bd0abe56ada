package dev.ingest.engine;

import dev.ingest.engine.internal.admit.MemoryBudget;

/**
 * Memory that a caller holds in the engine's budget for bytes that are not records yet or any
 * more: a JSON body while it arrives, an encoded answer until the socket takes it. Holding it
 * makes the engine refuse or pause new work instead of the heap growing. Opened with
 * {@link IngestEngine#hold()}; every byte is given back by {@link #release(long)} or
 * {@link #close()}.
 *
 * <p>Confined to one thread (or used under the caller's own ordering).
 */
public final class MemoryHold implements AutoCloseable {
    private final MemoryBudget budget;
    private final DatabaseHealth health;
    private long held;

    MemoryHold(MemoryBudget budget, DatabaseHealth health) {
        this.budget = budget;
        this.health = health;
    }

    /**
     * Takes {@code bytes} more if they fit.
     *
     * @return {@link Admission#ACCEPTED}, or {@link Admission#BUDGET_FULL} /
     *         {@link Admission#DATABASE_DOWN} (full while the database is unreachable), taking nothing
     */
    public Admission tryTake(long bytes) {
        if (!budget.tryAcquire(bytes)) {
            return health.isUp() ? Admission.BUDGET_FULL : Admission.DATABASE_DOWN;
        }
        held += bytes;
        return Admission.ACCEPTED;
    }

    /**
     * Takes {@code bytes} more whether or not they fit: for what cannot be refused any more (the
     * answer about committed records); admission of new work is what keeps the total bounded.
     */
    public void take(long bytes) {
        budget.forceAcquire(bytes);
        held += bytes;
    }

    /** Gives back up to {@code bytes} of what is held. */
    public void release(long bytes) {
        long n = Math.min(bytes, held);
        if (n > 0) {
            held -= n;
            budget.release(n);
        }
    }

    /** Gives back everything it holds; it may be used again after. */
    @Override
    public void close() {
        release(held);
    }
}
