package dev.ingest.engine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Drives the sizer with a manual clock: each batch "takes" exactly the time the test says. */
class AdaptiveBatchSizerTest {
    private static final long TARGET = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FAST = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SLOW = TimeUnit.MILLISECONDS.toNanos(80);

    private final AtomicLong clock = new AtomicLong(1_000_000);

    private AdaptiveBatchSizer sizer(int floor, int cap) {
        return new AdaptiveBatchSizer(floor, cap, TARGET, clock::get);
    }

    /** One batch of {@code rows} rows that takes {@code nanos} on the clock; returns the measured time. */
    private long batch(AdaptiveBatchSizer s, int rows, long nanos) {
        s.batchStarted();
        clock.addAndGet(nanos);
        return s.batchCommitted(rows);
    }

    @Test
    void startsAtAQuarterOfTheCap() {
        assertThat(sizer(64, 8000).limit()).isEqualTo(2000);
        assertThat(sizer(64, 100).limit()).isEqualTo(64);
    }

    @Test
    void measuresEachBatchOnTheInjectedClock() {
        AdaptiveBatchSizer s = sizer(64, 8000);
        assertThat(batch(s, 10, 12_345)).isEqualTo(12_345);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(5)); // time between batches does not count
        assertThat(batch(s, 10, FAST)).isEqualTo(FAST);
    }

    @Test
    void fullBatchesUnderTheTargetGrowTheLimitAdditivelyUpToTheCap() {
        AdaptiveBatchSizer s = sizer(64, 8000);
        batch(s, 2000, FAST);
        assertThat(s.limit()).isEqualTo(2500);
        batch(s, 2500, FAST);
        assertThat(s.limit()).isEqualTo(3000);
        for (int i = 0; i < 100; i++) {
            batch(s, s.limit(), FAST);
        }
        assertThat(s.limit()).isEqualTo(8000);
    }

    @Test
    void slowBatchesShrinkTheLimitMultiplicativelyDownToTheFloor() {
        AdaptiveBatchSizer s = sizer(64, 8000);
        batch(s, 2000, SLOW);
        assertThat(s.limit()).isEqualTo(1400);
        batch(s, 10, SLOW); // slow even when small: still a signal to back off
        assertThat(s.limit()).isEqualTo(980);
        for (int i = 0; i < 100; i++) {
            batch(s, 1, SLOW);
        }
        assertThat(s.limit()).isEqualTo(64);
    }

    @Test
    void batchesThatWereNotFullLeaveTheLimitAlone() {
        AdaptiveBatchSizer s = sizer(64, 8000);
        batch(s, 5, FAST);
        batch(s, 1999, FAST);
        assertThat(s.limit()).isEqualTo(2000);
    }

    @Test
    void aBatchEndedByARequestThatDidNotFitGrowsTheLimitLikeAFullOne() {
        // 1,000-row requests under a limit of 1,400: each batch holds one request, 1,000 rows.
        AdaptiveBatchSizer s = sizer(64, 8000);
        batch(s, 2000, SLOW);
        assertThat(s.limit()).isEqualTo(1400);
        s.batchStarted();
        clock.addAndGet(FAST);
        s.batchCommitted(1000, false); // nothing else was waiting: no news about larger batches
        assertThat(s.limit()).isEqualTo(1400);
        s.batchStarted();
        clock.addAndGet(FAST);
        s.batchCommitted(1000, true); // a second request waited and did not fit
        assertThat(s.limit()).isEqualTo(1900);
        s.batchStarted();
        clock.addAndGet(SLOW);
        s.batchCommitted(1000, true); // bound but slow: still backs off
        assertThat(s.limit()).isEqualTo(1330);
    }

    @Test
    void convergesBelowTheTargetWhenLatencyGrowsWithBatchSize() {
        // A database whose commit takes 5 ms plus 20 µs per row: the target of 50 ms is met
        // up to 2,250 rows. The limit must settle around there, oscillating as AIMD does.
        AdaptiveBatchSizer s = sizer(64, 8000);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < 1000; i++) {
            int rows = s.limit();
            batch(s, rows, TimeUnit.MICROSECONDS.toNanos(5000 + 20L * rows));
            if (i > 500) {
                min = Math.min(min, s.limit());
                max = Math.max(max, s.limit());
            }
        }
        assertThat(max).isBetween(2250, 2250 + 500);
        assertThat(min).isBetween((int) (2250 * 0.7) - 1, 2250);
    }

    @Test
    void refusesAnEmptyRange() {
        assertThatThrownBy(() -> sizer(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sizer(10, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
