package dev.ingest.engine.internal.write;

import java.util.function.LongSupplier;

/**
 * Chooses how many rows a writer gathers into its next transaction, steering commit latency
 * toward a target with AIMD (additive increase, multiplicative decrease, as TCP does for its
 * window):
 * <ul>
 *   <li>a batch that took longer than the target shrinks the limit to 70% (not below the floor);</li>
 *   <li>a batch that the limit bound and that met the target grows the limit by a step of 1/16
 *       of the cap (not above the cap). The limit binds a batch when it filled it, and also when
 *       a waiting request did not fit: requests are never split, so with 1,000-row requests and a
 *       limit of 1,371 every batch holds 1,000 rows, and judging "full" by the row count alone
 *       would keep the limit there for ever, one request per commit (issue 15);</li>
 *   <li>a batch that was not full tells nothing about larger batches: the limit stays.</li>
 * </ul>
 * Large batches amortize the commit (the fsync) over many rows; the target keeps the latency of
 * each request bounded, since a request waits for its whole batch. The cap is the configured
 * maximum and the 65535-parameter limit of one statement.
 *
 * <p>The latency of a batch runs from {@link #batchStarted()} to {@link #batchCommitted(int)} on
 * the injected clock, so tests drive it deterministically. Not thread-safe: each writer owns one.
 */
final class AdaptiveBatchSizer {
    private final int floor;
    private final int cap;
    private final int step;
    private final long targetNanos;
    private final LongSupplier nanoClock;
    private int limit;
    private long started;

    AdaptiveBatchSizer(int floor, int cap, long targetNanos, LongSupplier nanoClock) {
        if (floor <= 0 || cap < floor) {
            throw new IllegalArgumentException("need 0 < floor <= cap, got floor=" + floor + " cap=" + cap);
        }
        this.floor = floor;
        this.cap = cap;
        this.step = Math.max(1, cap / 16);
        this.targetNanos = targetNanos;
        this.nanoClock = nanoClock;
        this.limit = Math.max(floor, Math.min(cap, cap / 4));
    }

    /** Rows to gather into the next batch at most. */
    int limit() {
        return limit;
    }

    /** A batch's first statement is about to be sent. */
    void batchStarted() {
        started = nanoClock.getAsLong();
    }

    /**
     * The batch started last committed {@code rows} rows; adjusts the limit.
     *
     * @return how long the batch took, in nanoseconds
     */
    long batchCommitted(int rows) {
        return batchCommitted(rows, rows >= limit);
    }

    /**
     * The batch started last committed {@code rows} rows; adjusts the limit.
     *
     * @param bound whether the limit bound the batch: it filled it, or a waiting request did not fit
     * @return how long the batch took, in nanoseconds
     */
    long batchCommitted(int rows, boolean bound) {
        long nanos = nanoClock.getAsLong() - started;
        if (nanos > targetNanos) {
            limit = Math.max(floor, (int) (limit * 7L / 10)); // integer math: exact, deterministic
        } else if (bound || rows >= limit) {
            limit = Math.min(cap, limit + step);
        }
        return nanos;
    }
}
