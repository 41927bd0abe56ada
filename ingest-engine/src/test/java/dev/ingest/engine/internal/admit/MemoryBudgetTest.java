package dev.ingest.engine.internal.admit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MemoryBudgetTest {
    private final AtomicLong now = new AtomicLong();

    /** A budget with the engine's default rate window (1 s) and Retry-After cap (60 s). */
    private static MemoryBudget budget(long limit, LongSupplier clock) {
        return new MemoryBudget(limit, clock, TimeUnit.SECONDS.toNanos(1), 60);
    }

    @Test
    void acquiresWhatFitsAndRefusesTheRest() {
        MemoryBudget b = budget(100, now::get);
        assertThat(b.tryAcquire(60)).isTrue();
        assertThat(b.tryAcquire(50)).isFalse();
        assertThat(b.tryAcquire(40)).isTrue();
        assertThat(b.used()).isEqualTo(100);
        b.release(60);
        assertThat(b.tryAcquire(50)).isTrue();
    }

    @Test
    void aRequestLargerThanTheBudgetPassesWhenNothingElseIsHeld() {
        MemoryBudget b = budget(100, now::get);
        assertThat(b.tryAcquire(500)).isTrue();
        assertThat(b.tryAcquire(1)).isFalse();
        b.release(500);
        assertThat(b.used()).isZero();
    }

    @Test
    void waitersAreWokenByARelease() {
        MemoryBudget b = budget(100, now::get);
        b.tryAcquire(100);
        CompletableFuture<Void> waiting = b.whenAvailable(20);
        CompletableFuture<Void> larger = b.whenAvailable(50);
        assertThat(waiting).isNotDone();
        b.release(30);
        assertThat(waiting).isDone();
        assertThat(larger).as("30 free are no room for 50").isNotDone();
        assertThat(b.whenAvailable(30)).as("room now: completes at once").isDone();
        b.release(30);
        assertThat(larger).isDone();
    }

    @Test
    void releaseWaitersAreWokenByAnyReleaseAndForgottenOnesAreNot() {
        MemoryBudget b = budget(100, now::get);
        b.tryAcquire(150);
        b.forceAcquire(50);
        CompletableFuture<Void> released = b.whenReleased();
        CompletableFuture<Void> gaveUp = b.whenReleased();
        b.forget(gaveUp);
        CompletableFuture<Void> full = b.whenAvailable(1);
        b.release(10); // still over the limit: no room, but a release
        assertThat(released).isDone();
        assertThat(gaveUp).isNotDone();
        assertThat(full).isNotDone();
        assertThat(b.whenReleased()).as("only later releases count").isNotDone();
    }

    @Test
    void retryAfterFollowsTheDrainRate() {
        MemoryBudget b = budget(1_000_000, now::get);
        assertThat(b.retryAfterSeconds(1000)).as("no rate measured yet").isEqualTo(1);
        for (int second = 0; second < 5; second++) {
            b.tryAcquire(100_000);
            b.release(100_000);
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        }
        assertThat(b.drainBytesPerSecond()).isBetween(90_000.0, 110_000.0);
        assertThat(b.retryAfterSeconds(400_000)).isEqualTo(4);
        assertThat(b.retryAfterSeconds(100_000_000)).isEqualTo(60);
    }

    @Test
    void theRateWindowAndTheRetryAfterCapAreTheConfiguredOnes() {
        MemoryBudget b = new MemoryBudget(1_000_000, now::get, TimeUnit.SECONDS.toNanos(2), 10);
        b.tryAcquire(100_000);
        b.release(100_000);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        b.tryAcquire(100_000);
        b.release(100_000);
        assertThat(b.drainBytesPerSecond()).as("a 2 s window is not over after 1 s").isZero();
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        b.tryAcquire(100_000);
        b.release(100_000);
        assertThat(b.drainBytesPerSecond()).isBetween(90_000.0, 110_000.0);
        assertThat(b.retryAfterSeconds(100_000_000)).isEqualTo(10);
    }

    @Test
    @Timeout(30)
    void concurrentAcquireAndReleaseNeverExceedTheLimit() throws Exception {
        long limit = 10_000;
        MemoryBudget b = budget(limit, System::nanoTime);
        int threads = 8;
        AtomicLongArray held = new AtomicLongArray(threads);
        AtomicLong overLimit = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100_000; i++) {
                        long size = 1 + (i * 31 + me) % 3000;
                        if (b.tryAcquire(size)) {
                            held.addAndGet(me, size);
                            if (b.used() > limit + 3000) {
                                overLimit.incrementAndGet();
                            }
                            b.release(size);
                            held.addAndGet(me, -size);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(overLimit.get()).isZero();
        assertThat(b.used()).isZero();
    }
}
