package dev.ingest.engine.internal.admit;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A budget in bytes for records held by the engine (queued or being written), shared by all
 * tables: the memory bound of the service. Owned by the engine alone, which reserves, trues up
 * and releases on behalf of its callers. Acquiring never blocks; it succeeds or says no, and the
 * engine refuses the request or pauses an upload until {@link #whenAvailable}.
 *
 * <p>One request may exceed the whole budget: it is admitted when nothing else is held, so the
 * bound is {@code limit + the largest request}, and a large request cannot starve.
 *
 * <p>It also measures how fast bytes drain (released per second, smoothed), from which callers
 * derive {@code Retry-After}. Thread-safe and lock-free.
 */
public final class MemoryBudget {
    private final long limit;
    private final long rateWindowNanos;
    private final int retryAfterMaxSeconds;
    private final LongSupplier nanoClock;
    private final AtomicLong used = new AtomicLong();
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final Queue<CompletableFuture<Void>> releaseWaiters = new ConcurrentLinkedQueue<>();

    // Drain rate: bytes released in the current window, and the smoothed rate of past windows.
    private final AtomicLong windowStart;
    private final AtomicLong windowBytes = new AtomicLong();
    private volatile double bytesPerSecond;

    /** Waits until {@code bytes} would fit. */
    private record Waiter(CompletableFuture<Void> future, long bytes) {
    }

    /**
     * @param rateWindowNanos      the window over which the drain rate is measured
     * @param retryAfterMaxSeconds the longest {@link #retryAfterSeconds} derived
     */
    public MemoryBudget(long limitBytes, LongSupplier nanoClock, long rateWindowNanos, int retryAfterMaxSeconds) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("limit must be positive");
        }
        this.limit = limitBytes;
        this.rateWindowNanos = rateWindowNanos;
        this.retryAfterMaxSeconds = retryAfterMaxSeconds;
        this.nanoClock = nanoClock;
        this.windowStart = new AtomicLong(nanoClock.getAsLong());
    }

    /** Takes {@code bytes} if they fit (or if nothing is held); false otherwise. */
    public boolean tryAcquire(long bytes) {
        while (true) {
            long u = used.get();
            if (!fits(u, bytes)) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    /**
     * Takes {@code bytes} whether or not they fit: for truing up an estimate that was acquired
     * before the exact size was known (the overshoot is bounded by that estimate's error).
     */
    public void forceAcquire(long bytes) {
        used.addAndGet(bytes);
    }

    /** Gives back bytes taken with {@link #tryAcquire}, and wakes waiters when there is room. */
    public void release(long bytes) {
        long u = used.addAndGet(-bytes);
        if (u < 0) {
            throw new IllegalStateException("released more than acquired: used=" + u);
        }
        recordDrain(bytes);
        CompletableFuture<Void> r;
        while ((r = releaseWaiters.poll()) != null) {
            r.complete(null);
        }
        for (Waiter w : waiters) {
            if (fits(used.get(), w.bytes()) && waiters.remove(w)) {
                w.future().complete(null);
            }
        }
    }

    private boolean fits(long u, long bytes) {
        return u == 0 || u + bytes <= limit;
    }

    /**
     * Completes once {@code bytes} would fit: at once when they do now, else at the release that
     * makes room for them. (Not at any room: a waiter woken while its bytes still do not fit would
     * be refused again at once and spin.) Waiters then race for the room, so callers try to acquire
     * again and may wait again.
     */
    public CompletableFuture<Void> whenAvailable(long bytes) {
        Waiter w = new Waiter(new CompletableFuture<>(), bytes);
        waiters.add(w);
        if (fits(used.get(), bytes) && waiters.remove(w)) {
            w.future().complete(null);
        }
        return w.future();
    }

    /**
     * Completes at the next release, whether or not it makes room in the budget: every request the
     * writers complete releases its bytes, so this is also when a writer queue has had room made.
     * Register before trying, so that a release between the try and the wait is not missed.
     */
    public CompletableFuture<Void> whenReleased() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        releaseWaiters.add(f);
        return f;
    }

    /** Drops a waiter of {@link #whenReleased()} that no longer waits (it timed out). */
    public void forget(CompletableFuture<Void> waiter) {
        releaseWaiters.remove(waiter);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    /** Bytes released per second, smoothed over the last few seconds (0 before any release). */
    public double drainBytesPerSecond() {
        rollWindow(nanoClock.getAsLong());
        return bytesPerSecond;
    }

    /**
     * How long a client should wait before sending {@code bytes} again: the time the current drain
     * rate needs to free them or, when more is queued, to drain the backlog above half the budget
     * (so that retrying clients do not all return at once to a full queue). Between 1 and
     * {@code retryAfterMaxSeconds}; 1 while the rate is not known yet.
     */
    public int retryAfterSeconds(long bytes) {
        double rate = drainBytesPerSecond();
        if (rate <= 0) {
            return 1;
        }
        double seconds = Math.ceil(Math.max(bytes, used.get() - limit / 2.0) / rate);
        return (int) Math.max(1, Math.min(retryAfterMaxSeconds, seconds));
    }

    private void recordDrain(long bytes) {
        rollWindow(nanoClock.getAsLong());
        windowBytes.addAndGet(bytes);
    }

    /** Closes finished windows into the smoothed rate (EWMA, weight 1/2 per window). */
    private void rollWindow(long now) {
        long start = windowStart.get();
        long elapsed = now - start;
        if (elapsed < rateWindowNanos || !windowStart.compareAndSet(start, now)) {
            return;
        }
        double rate = windowBytes.getAndSet(0) * 1e9 / elapsed;
        double previous = bytesPerSecond;
        bytesPerSecond = previous == 0 ? rate : (previous + rate) / 2;
    }
}
